import Dispatch
import XCTest

@testable import Platform

/// Jobs run beside the loop, at most `maxQueued` at once, and their results wake the loop through `wakeFD`.
final class OffLoopWorkerTests: XCTestCase {
    func testJobsRunBesideTheLoopBoundedAndWakeIt() {
        let worker = OffLoopWorker<Int>(maxQueued: 2)
        defer { worker.stop() }
        let gate = DispatchSemaphore(value: 0)
        XCTAssertTrue(
            worker.submit {
                gate.wait()
                return 1
            })
        XCTAssertTrue(worker.submit { 2 })
        XCTAssertFalse(worker.submit { 3 }, "two waiting or running: a third is refused")
        XCTAssertEqual(worker.pending, 2)
        XCTAssertTrue(worker.takeFinished().isEmpty, "nothing finished while the first job waits")
        gate.signal()
        var done: [Int] = []
        for _ in 0..<200 where done.count < 2 {
            if Poller.wait(readable: [worker.wakeFD], writable: [], timeoutMicros: 50_000).contains(worker.wakeFD) {
                done += worker.takeFinished()
            }
        }
        XCTAssertEqual(done, [1, 2], "in the order submitted, one thread")
        XCTAssertEqual(worker.pending, 0)
        XCTAssertTrue(worker.submit { 4 }, "room again")
    }
}
