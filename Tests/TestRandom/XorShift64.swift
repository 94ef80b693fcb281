/// A tiny seeded PRNG so the fuzz tests of the pure parsers replay exactly (one copy for every test target that
/// fuzzes; the simulation's targets use Wire's SplitMix64).
public struct XorShift64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        precondition(seed != 0, "xorshift needs a non-zero seed")
        state = seed
    }

    public mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// Uniform enough in 0..<bound for a fuzzer.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next() % UInt64(bound))
    }
}
