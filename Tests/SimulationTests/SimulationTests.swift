import BrokerCore
import ClientCore
import ProducerCore
import SimulationSupport
import Wire
import XCTest

/// The whole protocol end to end, deterministically: a `ProducerSession` sends to a `BrokerCore` that fans out
/// to three `ClientSession`s, over links that lose, duplicate and reorder datagrams in both directions.
final class SimulationTests: XCTestCase {
    static let media = Simulation.standardMedia
    /// Frames sent in the first half second after a subscription is acknowledged may be missed (joining mid-frame).
    static let joinSlack: Int64 = 500_000
    /// Frames are counted until here; media goes on a second longer, so a lost last chunk is noticed like any other.
    static let countUntil: Int64 = 20_000_000

    static func run(loss: Double, seed: UInt64) -> Simulation {
        let conditions = InMemoryNetwork.Conditions(loss: loss, duplication: 0.01, baseDelay: 5_000, jitter: 10_000)
        let sim = Simulation(conditions: conditions, seed: seed, media: Self.media, mediaUntil: Self.countUntil + 1_000_000)
        sim.addClient(selector: allOfTestProducer, startAt: 100_000)
        sim.addClient(selector: allOfTestProducer, startAt: 350_000)
        sim.addClient(selector: videoStream, startAt: 700_000)
        sim.run(until: Self.countUntil + 1_500_000)
        return sim
    }

    /// Checks every client's frames and returns the lowest delivered ratio; prints the figures.
    @discardableResult
    func verify(_ sim: Simulation, label: String, minimumRatio: Double, file: StaticString = #filePath, line: UInt = #line) -> Double {
        var lowest = 1.0
        var totalDelivered = 0
        var totalExpected = 0
        for (i, c) in sim.clients.enumerated() {
            guard let subscribedAt = c.subscribedAt else {
                XCTFail("\(label): client \(i) never got its subscription acknowledged", file: file, line: line)
                continue
            }
            XCTAssertEqual(c.connections.count, 1, "\(label): client \(i) lost its session", file: file, line: line)
            XCTAssertTrue(c.frames.allSatisfy(\.intact), "\(label): client \(i) got a corrupted frame", file: file, line: line)
            let window = (subscribedAt + Self.joinSlack)..<Self.countUntil
            for stream in [videoStream, audioStream] {
                let numbers = c.frames.filter { $0.stream == stream }.map(\.number)
                XCTAssertTrue(
                    zip(numbers, numbers.dropFirst()).allSatisfy { Serial.less($0, $1) }, "\(label): client \(i) got \(stream) out of order",
                    file: file, line: line)
                guard c.selector.covers(stream) else {
                    XCTAssertTrue(numbers.isEmpty, "\(label): client \(i) got \(stream) without subscribing to it", file: file, line: line)
                    continue
                }
                let (delivered, expected) = sim.deliveredRatio(client: i, stream: stream, window: window)
                XCTAssertGreaterThan(expected, 100, file: file, line: line)
                let ratio = Double(delivered) / Double(max(expected, 1))
                lowest = min(lowest, ratio)
                totalDelivered += delivered
                totalExpected += expected
                print(
                    "simulation \(label): client \(i) \(stream.kind!): \(delivered)/\(expected) frames delivered = \(String(format: "%.4f", ratio * 100))%"
                        + " (subscribed at \(subscribedAt / 1000) ms, \(c.frames.filter { $0.stream == stream }.count) frames in all)")
                XCTAssertGreaterThanOrEqual(ratio, minimumRatio, "\(label): client \(i) \(stream)", file: file, line: line)
            }
        }
        let n = sim.network
        let bc = sim.broker.counters
        let clientNacks = sim.clients.map { $0.session.stats.values.reduce(0) { $0 + $1.loss.nacksSent } }
        print(
            "simulation \(label): overall \(totalDelivered)/\(totalExpected) = \(String(format: "%.4f", Double(totalDelivered) / Double(max(totalExpected, 1)) * 100))%;"
                + " network \(n.datagramsSent) sent, \(n.datagramsLost) lost, \(n.datagramsDuplicated) duplicated;"
                + " broker NACKs to producer \(bc.nacksOut), NACKs from clients \(bc.nacksIn), retransmits \(bc.retransmitsOut)"
                + " (throttled \(bc.retransmitsThrottled), unavailable \(bc.retransmitsUnavailable)); client NACKs \(clientNacks);"
                + " producer retransmits \(sim.producer.counters(1)!.retransmitted + sim.producer.counters(2)!.retransmitted)")
        return lowest
    }

    func testLosslessLinksDeliverEveryFrame() {
        let sim = Self.run(loss: 0, seed: 0x5EED_0000)
        XCTAssertFalse(sim.stalled)
        verify(sim, label: "0% loss", minimumRatio: 1.0)
    }

    func testTenPercentLossDeliversAtLeast999PerMille() {
        let sim = Self.run(loss: 0.10, seed: 0x5EED_0010)
        XCTAssertFalse(sim.stalled)
        verify(sim, label: "10% loss", minimumRatio: 0.999)
    }

    /// The shape of the sample media (producer/README.md): 12 fps video of 6–13 KB and one 8 KB audio chunk per
    /// second. A lost last chunk of a 1 fps stream is not revealed by the next frame in time; the loss detector
    /// must notice it from the frame's end.
    func testSampleMediaShapeAtTenPercentLoss() {
        let media = [
            Simulation.MediaStream(index: 1, kind: .video, interval: 83_333, sizes: 6_000...13_000),
            Simulation.MediaStream(index: 2, kind: .audio, interval: 1_000_000, sizes: 7_500...8_500),
        ]
        let conditions = InMemoryNetwork.Conditions(loss: 0.10, duplication: 0.01, baseDelay: 5_000, jitter: 10_000)
        let sim = Simulation(conditions: conditions, seed: 0x5A3B_1E, media: media, mediaUntil: 61_000_000)
        sim.addClient(selector: allOfTestProducer, startAt: 100_000)
        sim.run(until: 61_500_000)
        XCTAssertFalse(sim.stalled)
        guard let subscribedAt = sim.clients[0].subscribedAt else { return XCTFail("never subscribed") }
        for stream in [videoStream, audioStream] {
            let (delivered, expected) = sim.deliveredRatio(client: 0, stream: stream, window: (subscribedAt + Self.joinSlack)..<60_000_000)
            print("simulation sample media, 10% loss: \(stream.kind!): \(delivered)/\(expected) frames delivered")
            XCTAssertGreaterThanOrEqual(Double(delivered) / Double(expected), 0.999, "\(stream)")
        }
        XCTAssertTrue(sim.clients[0].frames.allSatisfy(\.intact))
    }
}
