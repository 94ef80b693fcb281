import Foundation
import XCTest

/// What a new user hit on a fresh clone (issue 12, second half), each checked against the real executables.
final class NewUserTests: IntegrationTestCase {
    /// Following a producer before it is online: accepted as waiting, the online producers named, and its
    /// frames delivered once it comes online. The broker logs the subscribe at info.
    func testSubscribingBeforeTheProducerStartsWaitsThenDelivers() throws {
        let broker = try startBroker()
        try startProducer("2BBB77", brokerPort: broker.port, rate: 24, audio: false)
        try waitForProducerOnline("2BBB77", at: broker)
        let out = folder("out")
        let client = try startClient(brokerPort: broker.port, subscribe: ["1AAA99"], output: out)
        let waiting = try waitForLine(client, startingWith: "subscribed to 1AAA99")
        XCTAssertTrue(waiting.contains("waiting"), "the answer should say the subscription waits: \(waiting)")
        XCTAssertEqual(try waitForLine(client, startingWith: "online now:"), "online now: 2BBB77")
        try waitUntil("the broker logs the subscribe") { broker.process.stderr.contains("subscribed to 1AAA99, waiting") }

        try startProducer("1AAA99", brokerPort: broker.port, rate: 30)
        try waitForLine(client, containing: "stream 1AAA9901 is online")
        try waitUntil("the waiting client saves 10 frames of 1AAA99") { savedCount(out, stream: "1AAA9901") >= 10 }
        let check = try SourceSet(folder: Paths.frames("1AAA99")).check(savedFiles(out, stream: "1AAA9901"))
        XCTAssertEqual(check.mismatched, [])

        try client.type("unsubscribe 1AAA99")
        try waitForLine(client, containing: "unsubscribed from 1AAA99")
        try waitUntil("the broker logs the unsubscribe") { broker.process.stderr.contains("unsubscribed from 1AAA99") }
    }
}
