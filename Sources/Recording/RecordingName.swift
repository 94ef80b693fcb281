import Wire

/// Names and paths of recordings: `<ID>/<UTC start>.mkv`, e.g. `1AAA99/20261207T035800Z.mkv` (ISO 8601 basic
/// format, sortable, no colons), with `-2`, `-3`, ... when a file of that second already exists. Everything that
/// comes from the network or a page is checked here before it becomes a path: a producer id is 6 hex digits, a
/// file name matches the pattern above, so `..`, `/` and absolute paths can never get through.
public enum RecordingName {
    /// The file name of a segment whose first frame was captured at `startMicros` (Unix epoch, UTC).
    public static func fileName(startMicros: UInt64, attempt: Int = 1) -> String {
        stamp(startMicros) + (attempt > 1 ? "-\(attempt)" : "") + ".mkv"
    }

    /// `YYYYMMDDTHHMMSSZ` for a wall-clock time in microseconds.
    public static func stamp(_ micros: UInt64) -> String {
        let secs = Int64(micros / 1_000_000)
        let (y, m, d) = civil(days: secs / 86_400)
        let s = Int(secs % 86_400)
        return pad(y, 4) + pad(m, 2) + pad(d, 2) + "T" + pad(s / 3600, 2) + pad(s / 60 % 60, 2) + pad(s % 60, 2) + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for a wall-clock time in microseconds (for listings).
    public static func iso8601(_ micros: UInt64) -> String {
        let b = Array(stamp(micros))
        let p = { (r: Range<Int>) in String(b[r]) }
        return p(0..<4) + "-" + p(4..<6) + "-" + p(6..<8) + "T" + p(9..<11) + ":" + p(11..<13) + ":" + p(13..<15) + "Z"
    }

    /// The folder of a producer's recordings, from its id.
    public static func directory(_ producer: ProducerID) -> String { producer.description }

    /// The start of a recording named `name` (microseconds since the Unix epoch), or nil when the name is not one
    /// this recorder writes.
    public static func startMicros(ofFile name: String) -> UInt64? {
        let b = Array(name.utf8)
        guard b.count >= 20, name.hasSuffix(".mkv"), b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            guard b[r].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return b[r].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard let y = number(0..<4), let mo = number(4..<6), let d = number(6..<8), let h = number(9..<11), let mi = number(11..<13),
            let s = number(13..<15), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        // Nothing else but an optional "-<attempt>" before ".mkv".
        let rest = b[16..<(b.count - 4)]
        if !rest.isEmpty {
            guard rest.first == UInt8(ascii: "-"), rest.count >= 2, rest.count <= 6, rest.dropFirst().allSatisfy({ (0x30...0x39).contains($0) })
            else { return nil }
        }
        let days = Self.days(year: y, month: mo, day: d)
        return UInt64(days * 86_400 + Int64(h * 3600 + mi * 60 + s)) * 1_000_000
    }

    /// A relative path `<ID>/<file>` checked for serving or deleting: nil unless both parts are what the recorder
    /// writes.
    public static func validatedPath(producer: String, file: String) -> String? {
        guard producer.count == 6, producer.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }),
            startMicros(ofFile: file) != nil
        else { return nil }
        return producer + "/" + file
    }

    // Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithms, proleptic Gregorian calendar).
    static func civil(days z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func pad(_ v: Int, _ n: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }
}
