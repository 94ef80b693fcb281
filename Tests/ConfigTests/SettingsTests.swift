import Config
import Wire
import XCTest

final class SettingsTests: XCTestCase {
    let specs = [
        SettingSpec("port", env: "BROKER_PORT", default: "9000", "UDP port to listen on."),
        SettingSpec("name", env: "BROKER_NAME", "Name of the broker."),
        SettingSpec("rate", env: "BROKER_RATE", default: "1.5", "Frames per second."),
        SettingSpec("verbose", env: "BROKER_VERBOSE", switch: true, "Log more."),
        SettingSpec("dry-run", switch: true, "Do nothing."),
        SettingSpec("log-level", env: "BROKER_LOG_LEVEL", "Least severe level logged."),
        SettingSpec("token", "A value with no environment variable."),
    ]

    func settings(_ arguments: [String] = [], env: [String: String] = [:]) throws(SettingsError) -> Settings {
        try Settings(program: "broker", specs: specs, arguments: arguments, environment: env)
    }

    /// The error `body` throws, or nil (and a failure) when it throws nothing.
    func thrown<T>(
        _ body: () throws(SettingsError) -> T, file: StaticString = #filePath, line: UInt = #line
    ) -> SettingsError? {
        do {
            let value = try body()
            XCTFail("expected a SettingsError, got \(value)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Precedence

    func testTheDefaultAppliesWhenNothingElseSetsIt() throws {
        let s = try settings()
        XCTAssertEqual(s.string("port"), "9000")
        XCTAssertEqual(try s.int("port", in: 1...65535), 9000)
        XCTAssertNil(s.string("name"))
        XCTAssertFalse(s.helpRequested)
        XCTAssertEqual(s.program, "broker")
        XCTAssertEqual(s.specs.map(\.flag), specs.map(\.flag))
    }

    func testTheEnvironmentBeatsTheDefault() throws {
        let s = try settings(env: ["BROKER_PORT": "9100", "BROKER_NAME": "edge"])
        XCTAssertEqual(s.string("port"), "9100")
        XCTAssertEqual(s.string("name"), "edge")
    }

    func testAFlagBeatsTheEnvironmentAndTheDefault() throws {
        let s = try settings(["--port", "9200"], env: ["BROKER_PORT": "9100"])
        XCTAssertEqual(s.string("port"), "9200")
        let t = try settings(["--rate=3"], env: ["BROKER_RATE": "2"])
        XCTAssertEqual(t.string("rate"), "3")
    }

    func testAnEmptyEnvironmentValueCountsAsUnset() throws {
        let s = try settings(env: ["BROKER_PORT": "", "BROKER_NAME": ""])
        XCTAssertEqual(s.string("port"), "9000")
        XCTAssertNil(s.string("name"))
        XCTAssertThrowsError(try s.required("name"))
    }

    func testEnvironmentVariablesOfOtherSettingsOrOfNoSettingAreIgnored() throws {
        // `token` has no environment variable, so an env var named like its flag does not set it.
        let s = try settings(env: ["token": "x", "TOKEN": "y", "UNRELATED": "z"])
        XCTAssertNil(s.string("token"))
    }

    func testTheLastOfARepeatedFlagWins() throws {
        let s = try settings(["--port", "1", "--port=2"])
        XCTAssertEqual(s.string("port"), "2")
    }

    // MARK: Flag syntax

    func testFlagEqualsValueAndFlagSpaceValueAreTheSame() throws {
        let a = try settings(["--name=edge", "--port", "7000"])
        let b = try settings(["--name", "edge", "--port=7000"])
        for s in [a, b] {
            XCTAssertEqual(s.string("name"), "edge")
            XCTAssertEqual(s.string("port"), "7000")
        }
    }

    func testAValueMayContainEqualsSignsAndSpaces() throws {
        let s = try settings(["--name=a=b", "--token", "x y"])
        XCTAssertEqual(s.string("name"), "a=b")
        XCTAssertEqual(s.string("token"), "x y")
    }

    func testAnEmptyInlineValueIsKeptAsEmpty() throws {
        let s = try settings(["--name="])
        XCTAssertEqual(s.string("name"), "")
        XCTAssertThrowsError(try s.required("name"))
    }

    func testASwitchAloneIsTrue() throws {
        let s = try settings(["--verbose", "--dry-run"])
        XCTAssertEqual(s.string("verbose"), "true")
        XCTAssertTrue(try s.bool("verbose"))
        XCTAssertTrue(try s.bool("dry-run"))
    }

    func testASwitchDoesNotConsumeTheNextArgument() throws {
        let s = try settings(["--verbose", "--port", "7000"])
        XCTAssertTrue(try s.bool("verbose"))
        XCTAssertEqual(s.string("port"), "7000")
        // A bare word after a switch is a stray argument, not the switch's value.
        let e = thrown { () throws(SettingsError) in try settings(["--verbose", "false"]) }
        XCTAssertEqual(e?.setting, "false")
    }

    func testASwitchTakesAnInlineValue() throws {
        let off = try settings(["--verbose=false"], env: ["BROKER_VERBOSE": "true"])
        XCTAssertFalse(try off.bool("verbose"))
        let on = try settings(["--verbose=yes"])
        XCTAssertTrue(try on.bool("verbose"))
    }

    func testASwitchCanBeSetFromTheEnvironment() throws {
        XCTAssertTrue(try settings(env: ["BROKER_VERBOSE": "1"]).bool("verbose"))
        XCTAssertFalse(try settings(env: ["BROKER_VERBOSE": "off"]).bool("verbose"))
        XCTAssertFalse(try settings().bool("verbose"))
    }

    func testAnUnknownOptionThrowsNamingIt() {
        let e = thrown { () throws(SettingsError) in try settings(["--port", "1", "--nope"]) }
        XCTAssertEqual(e?.setting, "--nope")
        XCTAssertEqual(e?.message, "unknown option (see --help)")
        XCTAssertTrue(e?.description.contains("--nope") ?? false)

        let inline = thrown { () throws(SettingsError) in try settings(["--nope=3"]) }
        XCTAssertTrue(inline?.setting.contains("--nope") ?? false, "\(String(describing: inline))")
    }

    func testAStrayArgumentThrowsNamingIt() {
        let e = thrown { () throws(SettingsError) in try settings(["stray"]) }
        XCTAssertEqual(e?.setting, "stray")
        XCTAssertEqual(e?.message, "unexpected argument (see --help)")
        XCTAssertEqual(e?.description, "invalid setting stray: unexpected argument (see --help)")

        let single = thrown { () throws(SettingsError) in try settings(["-v"]) }
        XCTAssertEqual(single?.setting, "-v")
    }

    func testAFlagWithoutAValueAtTheEndThrows() {
        let e = thrown { () throws(SettingsError) in try settings(["--verbose", "--port"]) }
        XCTAssertEqual(e?.setting, "BROKER_PORT (--port)")
        XCTAssertEqual(e?.message, "--port needs a value")

        let noEnv = thrown { () throws(SettingsError) in try settings(["--token"]) }
        XCTAssertEqual(noEnv?.setting, "--token")
    }

    func testHelpAndDashHSetHelpRequested() throws {
        XCTAssertTrue(try settings(["--help"]).helpRequested)
        XCTAssertTrue(try settings(["-h"]).helpRequested)
        // Other flags are still read around it.
        let s = try settings(["--port", "1", "-h", "--name=x"])
        XCTAssertTrue(s.helpRequested)
        XCTAssertEqual(s.string("port"), "1")
        XCTAssertEqual(s.string("name"), "x")
    }

    // MARK: Labels

    func testTheLabelNamesTheEnvironmentVariableAndTheFlag() throws {
        let s = try settings()
        XCTAssertEqual(s.spec("port").label, "BROKER_PORT (--port)")
        XCTAssertEqual(s.spec("token").label, "--token")
        XCTAssertEqual(s.spec("verbose").isSwitch, true)
        XCTAssertEqual(s.spec("port").defaultValue, "9000")
    }

    // MARK: int

    func testIntParsesWholeNumbersTrimmingSpacesAndTabs() throws {
        XCTAssertEqual(try settings(["--port", " 42\t"]).int("port", in: 1...65535), 42)
        XCTAssertEqual(try settings(["--port", "-3"]).int("port", in: -10...10), -3)
        XCTAssertEqual(try settings(["--port", "1"]).int("port", in: 1...1), 1)
    }

    func testIntIsNilWhenUnsetOrEmpty() throws {
        XCTAssertNil(try settings().int("name", in: 0...10))
        XCTAssertNil(try settings(["--name="]).int("name", in: 0...10))
    }

    func testIntRejectsANonNumberWithTheLabel() throws {
        for text in ["abc", "4.5", "12x", "0x10"] {
            let s = try settings(["--port", text])
            let e = thrown { () throws(SettingsError) in try s.int("port", in: 1...65535) }
            XCTAssertEqual(e?.setting, "BROKER_PORT (--port)", text)
            XCTAssertEqual(e?.message, "'\(text)' is not a whole number", text)
        }
    }

    func testIntRejectsOutOfRangeWithTheLabel() throws {
        let s = try settings(env: ["BROKER_PORT": "70000"])
        let e = thrown { () throws(SettingsError) in try s.int("port", in: 1...65535) }
        XCTAssertEqual(e?.setting, "BROKER_PORT (--port)")
        XCTAssertEqual(e?.message, "70000 is outside 1...65535")
        XCTAssertTrue(e?.description.contains("BROKER_PORT") ?? false)
        XCTAssertTrue(e?.description.contains("--port") ?? false)

        let low = try settings(["--port=0"])
        XCTAssertEqual(thrown { () throws(SettingsError) in try low.int("port", in: 1...65535) }?.message, "0 is outside 1...65535")
    }

    // MARK: double

    func testDoubleParsesNumbers() throws {
        XCTAssertEqual(try settings().double("rate", in: 0.1...1000), 1.5)
        XCTAssertEqual(try settings(["--rate", " 25 "]).double("rate", in: 0.1...1000), 25)
        XCTAssertEqual(try settings(["--rate=1e2"]).double("rate", in: 0.1...1000), 100)
        XCTAssertNil(try settings().double("name", in: 0...1))
    }

    func testDoubleRejectsNonNumbersAndNonFiniteValues() throws {
        for text in ["fast", "inf", "nan", "1.2.3"] {
            let s = try settings(["--rate", text])
            let e = thrown { () throws(SettingsError) in try s.double("rate", in: 0...1e9) }
            XCTAssertEqual(e?.setting, "BROKER_RATE (--rate)", text)
            XCTAssertEqual(e?.message, "'\(text)' is not a number", text)
        }
    }

    func testDoubleRejectsOutOfRange() throws {
        let s = try settings(["--rate", "0.05"])
        let e = thrown { () throws(SettingsError) in try s.double("rate", in: 0.1...1000) }
        XCTAssertEqual(e?.setting, "BROKER_RATE (--rate)")
        XCTAssertEqual(e?.message, "0.05 is outside 0.1...1000.0")
    }

    // MARK: bool

    func testBoolAcceptsTheUsualWordsInAnyCase() throws {
        for text in ["true", "yes", "on", "1", "TRUE", "Yes", "ON"] {
            XCTAssertTrue(try settings(["--name", text]).bool("name"), text)
        }
        for text in ["false", "no", "off", "0", "FALSE", "No", "Off", ""] {
            XCTAssertFalse(try settings(["--name=\(text)"]).bool("name"), text)
        }
        XCTAssertFalse(try settings().bool("name"))
    }

    func testBoolRejectsGarbageWithTheLabel() throws {
        for text in ["maybe", "2", "y", "truee"] {
            let s = try settings(["--verbose=\(text)"])
            let e = thrown { () throws(SettingsError) in try s.bool("verbose") }
            XCTAssertEqual(e?.setting, "BROKER_VERBOSE (--verbose)", text)
            XCTAssertEqual(e?.message, "'\(text)' is not true or false", text)
        }
    }

    // MARK: required

    func testRequiredReturnsTheValue() throws {
        XCTAssertEqual(try settings(["--name", "edge"]).required("name"), "edge")
        XCTAssertEqual(try settings(env: ["BROKER_NAME": "env"]).required("name"), "env")
        XCTAssertEqual(try settings().required("port"), "9000")
    }

    func testRequiredThrowsWithTheLabelWhenMissing() throws {
        let s = try settings()
        let e = thrown { () throws(SettingsError) in try s.required("name") }
        XCTAssertEqual(e?.setting, "BROKER_NAME (--name)")
        XCTAssertEqual(e?.message, "is required")
        XCTAssertEqual(e?.description, "invalid setting BROKER_NAME (--name): is required")
    }

    // MARK: brokerPick

    func pick(_ arguments: [String] = [], env: [String: String] = [:]) throws(SettingsError) -> BrokerPick {
        let spec = SettingSpec("broker-pick", env: "BROKER_PICK", default: "random", "first or random.")
        return try Settings(program: "client", specs: [spec], arguments: arguments, environment: env).brokerPick("broker-pick")
    }

    func testBrokerPickIsRandomUnlessFirstIsAskedFor() throws {
        XCTAssertEqual(try pick(), .random)
        XCTAssertEqual(try pick(env: ["BROKER_PICK": ""]), .random)
        XCTAssertEqual(try pick(env: ["BROKER_PICK": "first"]), .first)
        XCTAssertEqual(try pick(["--broker-pick", " First "]), .first)
        XCTAssertEqual(BrokerPick.first.firstIndex, 0)
        XCTAssertNil(BrokerPick.random.firstIndex)
    }

    func testBrokerPickNamesTheSettingOnABadValue() throws {
        let e = thrown { () throws(SettingsError) in try pick(env: ["BROKER_PICK": "home"]) }
        XCTAssertEqual(e?.description, "invalid setting BROKER_PICK (--broker-pick): 'home' is not first or random")
    }

    // MARK: logLevel

    func testLogLevelDefaultsToInfo() throws {
        XCTAssertEqual(try settings().logLevel("log-level"), .info)
        XCTAssertEqual(try settings(env: ["BROKER_LOG_LEVEL": ""]).logLevel("log-level"), .info)
    }

    func testLogLevelParsesNames() throws {
        let cases: [(String, LogLevel)] = [
            ("debug", .debug), ("info", .info), ("warning", .warning), ("warn", .warning), ("error", .error),
            ("DEBUG", .debug), ("Warn", .warning),
        ]
        for (text, level) in cases {
            XCTAssertEqual(try settings(["--log-level", text]).logLevel("log-level"), level, text)
        }
        XCTAssertEqual(try settings(env: ["BROKER_LOG_LEVEL": "error"]).logLevel("log-level"), .error)
    }

    func testLogLevelRejectsUnknownNames() throws {
        let s = try settings(["--log-level", "loud"])
        let e = thrown { () throws(SettingsError) in try s.logLevel("log-level") }
        XCTAssertEqual(e?.setting, "BROKER_LOG_LEVEL (--log-level)")
        XCTAssertEqual(e?.message, "'loud' is not debug, info, warning or error")
    }

    // MARK: usage

    func testUsageListsEveryFlagItsEnvironmentVariableAndDefault() throws {
        let text = try settings().usage(summary: "The video broker.")
        XCTAssertTrue(text.hasPrefix("The video broker.\n\nUsage: broker [options]\n"), text)
        for s in specs {
            XCTAssertTrue(text.contains("--\(s.flag)"), s.flag)
            XCTAssertTrue(text.contains(s.help), s.flag)
            if let e = s.env { XCTAssertTrue(text.contains("(env \(e))"), s.flag) }
            if let d = s.defaultValue { XCTAssertTrue(text.contains("[default: \(d)]"), s.flag) }
        }
        XCTAssertTrue(text.contains("  --port VALUE  (env BROKER_PORT)\n      UDP port to listen on. [default: 9000]\n"), text)
        // A switch takes no VALUE; a setting without an environment variable or default shows neither.
        XCTAssertTrue(text.contains("  --verbose  (env BROKER_VERBOSE)\n      Log more.\n"), text)
        XCTAssertTrue(text.contains("  --dry-run\n      Do nothing.\n"), text)
        XCTAssertTrue(text.contains("  --token VALUE\n      A value with no environment variable.\n"), text)
        XCTAssertTrue(text.hasSuffix("  --help\n      Show this help.\n"), text)
        XCTAssertEqual(text.components(separatedBy: "[default:").count - 1, 2)
    }

    func testUsageListsFlagsInDeclarationOrder() throws {
        let text = try settings().usage(summary: "x")
        var last = text.startIndex
        for s in specs {
            guard let r = text.range(of: "  --\(s.flag)", range: last..<text.endIndex) else {
                XCTFail("--\(s.flag) missing or out of order")
                return
            }
            last = r.upperBound
        }
    }

    // MARK: String.trimmingSpaces

    func testTrimmingSpacesRemovesLeadingAndTrailingSpacesAndTabsOnly() {
        XCTAssertEqual("  a b \t".trimmingSpaces, "a b")
        XCTAssertEqual("\t\tx".trimmingSpaces, "x")
        XCTAssertEqual("x".trimmingSpaces, "x")
        XCTAssertEqual("".trimmingSpaces, "")
        XCTAssertEqual(" \t ".trimmingSpaces, "")
        XCTAssertEqual("\nx\n".trimmingSpaces, "\nx\n")
        XCTAssertEqual(" a  b ".trimmingSpaces, "a  b")
    }
}
