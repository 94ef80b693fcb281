import SimulationSupport
import XCTest

@testable import Wire

final class RandomTests: XCTestCase {
    func testSplitMix64MatchesTheReferenceSequence() {
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual([rng.next(), rng.next(), rng.next()], [0xe220_a839_7b1d_cdaf, 0x6e78_9e6a_a1b9_65f4, 0x06c4_5d18_8009_454f])
    }

    func testTheSameSeedGivesTheSameStream() {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        var c = SplitMix64(seed: 43)
        let x = (0..<10).map { _ in a.next() }
        XCTAssertEqual(x, (0..<10).map { _ in b.next() })
        XCTAssertNotEqual(x, (0..<10).map { _ in c.next() })
    }
}
