import Foundation
import Wire

/// `wire-samples codec`: Wire's encoder and decoder for scripts, one request per line on stdin, one answer per line
/// on stdout (so a load script in another language needs no codec of its own). Numbers are decimal or 0x-hex.
///
///     hello TOKEN NONCE ROLE CHALLENGE          -> the datagram in hex (ROLE 2: a client; no producer HELLOs)
///     subscribe TOKEN REQUEST SELECTOR          -> hex
///     nack TOKEN STREAM RTT START COUNT         -> hex
///     decode HEX                                -> "COOKIE nonce token challenge", "DATA stream seq", or the type
///                                                  name ("-" when it is not a datagram of ours)
enum CodecPipe {
    static func run() {
        while let line = readLine() {
            // Written unbuffered: print's buffer is only flushed at exit when stdout is a pipe, and the script
            // waits for each answer before it asks the next.
            FileHandle.standardOutput.write(Data((answer(line.split(separator: " ").map(String.init)) + "\n").utf8))
        }
    }

    static func answer(_ words: [String]) -> String {
        let n = words.dropFirst().map { number($0) }
        func arg(_ i: Int) -> UInt64 { i < n.count ? n[i] ?? 0 : 0 }
        switch words.first {
        case "hello":
            return SampleEncoder.hex(SampleEncoder.hello(token: arg(0), nonce: arg(1), role: UInt8(truncatingIfNeeded: arg(2)), challenge: arg(3)))
        case "subscribe":
            return SampleEncoder.hex(SampleEncoder.subscribe(arg(0), UInt32(truncatingIfNeeded: arg(1)), UInt32(truncatingIfNeeded: arg(2))))
        case "nack":
            let range = (UInt32(truncatingIfNeeded: arg(3)), UInt16(truncatingIfNeeded: arg(4)))
            return SampleEncoder.hex(SampleEncoder.nack(arg(0), UInt32(truncatingIfNeeded: arg(1)), UInt32(truncatingIfNeeded: arg(2)), [range]))
        case "decode":
            return decode(bytes(words.count > 1 ? words[1] : ""))
        default:
            return "error: unknown request"
        }
    }

    static func decode(_ b: [UInt8]) -> String {
        guard let type = try? Message.peekType(b[...]) else { return "-" }
        if type == .data, let h = try? DataHeader.parse(b[...]) { return "DATA \(h.stream.rawValue) \(h.sequence)" }
        if case .cookie(let nonce, let token, let challenge)? = try? Message.decode(b) { return "COOKIE \(nonce) \(token) \(challenge ?? 0)" }
        return "\(type)"
    }

    static func number(_ s: String) -> UInt64? { s.hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) : UInt64(s) }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), let v = UInt8(hex[i..<j], radix: 16) {
            out.append(v)
            i = j
        }
        return out
    }
}
