import Config
import Wire
import XCTest

@testable import ProducerCore

final class ProducerListTests: XCTestCase {
    let setting = "PRODUCERS (--producers)"

    func parse(_ text: String, rate: Double = 30, delay: Double = 0.5) throws(SettingsError) -> [ProducerListEntry] {
        try ProducerList.parse(text, setting: setting, defaultRate: rate, defaultDelay: delay)
    }

    func entry(_ hex: String, _ rate: Double, _ delay: Double) -> ProducerListEntry {
        guard let id = ProducerID(hex: hex) else { preconditionFailure("bad test id \(hex)") }
        return ProducerListEntry(id: id, rate: rate, delay: delay)
    }

    /// The error parsing `text` throws; fails when it parses, or when the error does not name the setting.
    func failure(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> SettingsError? {
        do {
            let entries = try parse(text)
            XCTFail("'\(text)' parsed as \(entries)", file: file, line: line)
            return nil
        } catch {
            XCTAssertEqual(error.setting, setting, "'\(text)'", file: file, line: line)
            XCTAssertTrue(error.description.contains(setting), file: file, line: line)
            return error
        }
    }

    // MARK: Accepted

    func testTheDocumentedExample() throws {
        XCTAssertEqual(try parse("1AAA99:12:0,2BBB77:24:2"), [entry("1AAA99", 12, 0), entry("2BBB77", 24, 2)])
    }

    func testAMissingRateOrDelayTakesTheDefault() throws {
        XCTAssertEqual(try parse("1AAA99", rate: 25, delay: 1.5), [entry("1AAA99", 25, 1.5)])
        XCTAssertEqual(try parse("1AAA99:12", rate: 25, delay: 1.5), [entry("1AAA99", 12, 1.5)])
        XCTAssertEqual(try parse("1AAA99::3", rate: 25, delay: 1.5), [entry("1AAA99", 25, 3)])
        XCTAssertEqual(try parse("1AAA99:", rate: 25, delay: 1.5), [entry("1AAA99", 25, 1.5)])
        XCTAssertEqual(try parse("1AAA99::", rate: 25, delay: 1.5), [entry("1AAA99", 25, 1.5)])
    }

    func testLowerCaseIdsAreAccepted() throws {
        let list = try parse("1aaa99:12:0,abcdef")
        XCTAssertEqual(list, [entry("1AAA99", 12, 0), entry("ABCDEF", 30, 0.5)])
        XCTAssertEqual(list[1].id.rawValue, 0xAB_CDEF)
        XCTAssertEqual(list[1].id.description, "ABCDEF")
    }

    func testSpacesAnywhereAreIgnored() throws {
        XCTAssertEqual(try parse(" 1AAA99 : 12 : 0 ,  2BBB77:24 "), [entry("1AAA99", 12, 0), entry("2BBB77", 24, 0.5)])
        XCTAssertEqual(try parse("1 AAA 99"), [entry("1AAA99", 30, 0.5)])
    }

    func testEmptyEntriesAreSkipped() throws {
        XCTAssertEqual(try parse(",1AAA99,,  ,2BBB77,"), [entry("1AAA99", 30, 0.5), entry("2BBB77", 30, 0.5)])
    }

    func testOrderIsKept() throws {
        XCTAssertEqual(try parse("FFFFFF,000001,800000").map(\.id.rawValue), [0xFF_FFFF, 1, 0x80_0000])
    }

    func testTheBoundsAreInclusive() throws {
        XCTAssertEqual(try parse("000001:0.1:0,000002:1000:86400"), [entry("000001", 0.1, 0), entry("000002", 1000, 86_400)])
    }

    func testFractionalRatesAndDelays() throws {
        XCTAssertEqual(try parse("1AAA99:29.97:0.25"), [entry("1AAA99", 29.97, 0.25)])
    }

    // MARK: Rejected

    func testABadIdThrowsNamingTheEntry() {
        for text in ["1AAA9", "1AAA999", "GGGGGG", "1AAA9Z", ":12:0", "+1AAA9", "0x1AAA", "1AAA99:1:2:3:4"] {
            let e = failure(text)
            XCTAssertTrue(e?.message.contains("'\(text)'") ?? false, "\(text): \(String(describing: e))")
            XCTAssertTrue(e?.message.contains("6-hex-digit ID") ?? false, text)
        }
    }

    func testTheZeroIdIsRejected() {
        let e = failure("000000:12:0")
        XCTAssertTrue(e?.message.contains("'000000:12:0'") ?? false, "\(String(describing: e))")
    }

    func testARateOutside0Point1To1000IsRejected() {
        for rate in ["0", "0.09", "1000.5", "1001", "-5", "fast", "inf", "nan"] {
            let e = failure("1AAA99:\(rate):0")
            XCTAssertEqual(
                e?.message, "rate '\(rate)' of 1AAA99 is not a number of frames per second in 0.1...1000", rate)
        }
    }

    func testADelayOutOfRangeIsRejected() {
        for delay in ["-1", "-0.5", "86401", "soon", "inf"] {
            let e = failure("1AAA99:12:\(delay)")
            XCTAssertEqual(e?.message, "delay '\(delay)' of 1AAA99 is not a number of seconds in 0...86400", delay)
        }
    }

    func testADuplicateIdIsRejected() {
        XCTAssertEqual(failure("1AAA99:12:0,2BBB77,1AAA99:24:1")?.message, "1AAA99 is listed twice")
        // Case does not make two ids different.
        XCTAssertEqual(failure("1aaa99,1AAA99")?.message, "1AAA99 is listed twice")
    }

    func testAnEmptyListIsRejected() {
        for text in ["", " ", ",", " , ,, "] {
            XCTAssertEqual(failure(text)?.message, "lists no producer", "'\(text)'")
        }
    }

    func testTheErrorNamesTheSettingItWasGiven() {
        do {
            _ = try ProducerList.parse("nope", setting: "OTHER (--other)", defaultRate: 1, defaultDelay: 0)
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.setting, "OTHER (--other)")
            XCTAssertTrue(error.description.hasPrefix("invalid setting OTHER (--other): "))
        }
    }
}
