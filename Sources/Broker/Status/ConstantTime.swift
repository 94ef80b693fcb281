/// Comparisons whose time does not depend on where two secrets differ, so a password cannot be guessed a byte
/// at a time by timing the answers.
public enum ConstantTime {
    /// True when `a` and `b` are the same bytes. Runs over the longer length whatever the contents; only the
    /// lengths' equality leaks, as with any such comparison.
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let x = Array(a)
        let y = Array(b)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        let n = max(x.count, y.count)
        for i in 0..<n {
            let p = i < x.count ? x[i] : 0
            let q = i < y.count ? y[i] : 0
            diff |= p ^ q
        }
        return diff == 0
    }

    public static func equal(_ a: String, _ b: String) -> Bool { equal(Array(a.utf8), Array(b.utf8)) }
}
