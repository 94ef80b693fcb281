/// Which recordings retention removes: files older than `keepMicros` (by their start), then the oldest until the
/// rest fit in `maxBytes`. Files still being written are never removed.
public enum RetentionPlan {
    public static func expired(
        _ files: [RecordingEntry], nowMicros: UInt64, keepMicros: UInt64?, maxBytes: Int64?, open: Set<String>
    ) -> [RecordingEntry] {
        let oldestFirst = files.sorted { ($0.startMicros, $0.path) < ($1.startMicros, $1.path) }
        var total = files.reduce(Int64(0)) { $0 + $1.bytes }
        var out: [RecordingEntry] = []
        for f in oldestFirst where !open.contains(f.path) {
            let tooOld = keepMicros.map { f.startMicros + $0 < nowMicros } ?? false
            let overBudget = maxBytes.map { total > $0 } ?? false
            guard tooOld || overBudget else { continue }
            out.append(f)
            total -= f.bytes
        }
        return out
    }
}
