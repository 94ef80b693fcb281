import Foundation  // its C library (sockets, signals) is what the harness uses; it is not imported directly
import XCTest

// Shared machinery for the integration tests: they run the real executables (broker, producer, client,
// lossy-relay) over loopback, each test with its own ports and its own temporary folder. Every wait polls an
// observable event (a line in a process's output, files in a folder, a process exiting) every 20 ms with a
// generous deadline; nothing sleeps for a fixed time to synchronise.

/// A harness failure: thrown so the test stops at the first broken expectation with a readable message.
struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Where the package, its sample media and its executables are.
enum Paths {
    /// Tests/IntegrationTests/Harness.swift -> the package root.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let media = packageRoot.appendingPathComponent("producer")

    static func frames(_ producer: String) -> URL { media.appendingPathComponent(producer).appendingPathComponent("frames") }
    static func audio(_ producer: String) -> URL { media.appendingPathComponent(producer).appendingPathComponent("audio") }

    /// Folders that may hold the products: next to the running test bundle first (the very build that built the
    /// tests, whatever its configuration or scratch path), then the package's `.build/debug`.
    static var binaryFolders: [URL] {
        var folders: [URL] = []
        if let first = CommandLine.arguments.first, !first.isEmpty {
            var bundle = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            // On Darwin the runner is xctest and the bundle is an argument; take the .xctest path if given.
            if let x = CommandLine.arguments.first(where: { $0.hasSuffix(".xctest") }) { bundle = URL(fileURLWithPath: x) }
            var dir = bundle.deletingLastPathComponent()
            // Darwin: Foo.xctest/Contents/MacOS/Foo -> the folder holding Foo.xctest.
            if dir.path.hasSuffix(".xctest/Contents/MacOS") {
                dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            }
            folders.append(dir)
        }
        folders.append(packageRoot.appendingPathComponent(".build/debug"))
        return folders
    }

    /// The executable `name` (broker, producer, client, lossy-relay), or a failure saying how to build it.
    static func binary(_ name: String) throws -> URL {
        for folder in binaryFolders {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw HarnessFailure(
            "executable '\(name)' not found (looked in \(binaryFolders.map(\.path).joined(separator: ", "))); "
                + "run `swift build` (or scripts/test, which runs `swift build --build-tests` first) before `swift test`")
    }
}

/// Monotonic seconds.
func monotonicNow() -> Double { ProcessInfo.processInfo.systemUptime }

// MARK: - Processes

/// One running executable: stdout and stderr go to files in the test's folder; the stdin of a client is a pipe.
final class ManagedProcess {
    let name: String
    let process: Process
    let stdoutPath: String
    let stderrPath: String
    let startedAt: Double
    private let stdinPipe: Pipe?
    private var stdinOpen: Bool
    /// When true, every wait fails at once if this process has exited (a crash shows up immediately, with logs).
    var expectAlive: Bool

    init(name: String, process: Process, stdoutPath: String, stderrPath: String, stdinPipe: Pipe?, expectAlive: Bool) {
        self.name = name
        self.process = process
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.stdinPipe = stdinPipe
        self.stdinOpen = stdinPipe != nil
        self.expectAlive = expectAlive
        self.startedAt = monotonicNow()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    /// The exit status, or nil while running. A process ended by a signal reports 128 + the signal.
    var exitStatus: Int32? {
        if process.isRunning { return nil }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    var stdout: String { Self.read(stdoutPath) }
    var stderr: String { Self.read(stderrPath) }
    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    private static func read(_ path: String) -> String {
        guard let d = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: d, as: UTF8.self)
    }

    /// Types one line on the process's stdin.
    func type(_ line: String) throws {
        guard let pipe = stdinPipe, stdinOpen else { throw HarnessFailure("\(name) has no open stdin to type '\(line)' on") }
        do { try pipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8)) } catch {
            throw HarnessFailure("cannot type '\(line)' on \(name)'s stdin: \(error) (exited: \(exitStatus.map(String.init) ?? "no"))")
        }
    }

    func closeStdin() {
        guard let pipe = stdinPipe, stdinOpen else { return }
        stdinOpen = false
        try? pipe.fileHandleForWriting.close()
    }

    func signal(_ sig: Int32) {
        if process.isRunning { _ = kill(pid, sig) }
    }

    /// The last lines of both outputs, for failure messages.
    func logTail(lines: Int = 25) -> String {
        func tail(_ s: String) -> String { s.split(separator: "\n").suffix(lines).joined(separator: "\n") }
        let status = exitStatus.map { "exited with status \($0)" } ?? "running"
        return "--- \(name) (pid \(pid), \(status))\n[stdout]\n\(tail(stdout))\n[stderr]\n\(tail(stderr))"
    }
}

/// The publish secret of the tests' brokers and producers.
let testPublishSecret = "integration-test publish secret"

// MARK: - Test base class

/// Base class of the integration tests: a temporary folder per test, process launch and guaranteed cleanup.
class IntegrationTestCase: XCTestCase {
    private(set) var workDir = URL(fileURLWithPath: "/nonexistent")
    private(set) var launched: [ManagedProcess] = []
    private var testStart = 0.0

    override func setUpWithError() throws {
        try super.setUpWithError()
        // Typing on the stdin of a client that has exited must be an error, never a SIGPIPE that kills the tests.
        _ = signal(SIGPIPE, SIG_IGN)
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("vbroker-it-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
        launched = []
        testStart = monotonicNow()
    }

    override func tearDown() {
        // SIGTERM everything still running, give it 5 s, then SIGKILL; always reap.
        let running = launched.filter(\.isRunning)
        for p in running {
            p.closeStdin()
            p.signal(SIGTERM)
        }
        let deadline = monotonicNow() + 5
        while running.contains(where: \.isRunning) && monotonicNow() < deadline { usleep(20_000) }
        for p in running where p.isRunning {
            XCTFail("\(p.name) did not exit within 5 s of SIGTERM; killing it")
            p.signal(SIGKILL)
        }
        for p in launched { p.process.waitUntilExit() }
        for p in running where p.exitStatus != 0 && p.exitStatus != 128 + SIGKILL {
            XCTFail("\(p.name) exited with status \(p.exitStatus!) after SIGTERM (expected 0)\n\(p.logTail())")
        }
        if let run = testRun, run.totalFailureCount > 0 {
            print("==== logs of \(name) (work folder \(workDir.path))")
            for p in launched { print(p.logTail(lines: 40)) }
        }
        print("\(name) took \(String(format: "%.2f", monotonicNow() - testStart)) s")
        // VB_KEEP=1 keeps the work folder (every process's log, the saved frames) to look at after the run.
        if ProcessInfo.processInfo.environment["VB_KEEP"] == nil {
            try? FileManager.default.removeItem(at: workDir)
        } else {
            print("kept \(workDir.path)")
        }
        launched = []
        super.tearDown()
    }

    /// A folder inside the test's temporary folder.
    func folder(_ name: String) -> URL { workDir.appendingPathComponent(name) }

    /// Starts `tool` with `arguments`. The environment is minimal (PATH, HOME plus `environment`), so settings in the
    /// caller's environment (BROKER_ADDRESS, PRODUCERS, ...) never leak into a test.
    @discardableResult
    func launch(
        _ tool: String, _ arguments: [String], name: String? = nil, environment: [String: String] = [:],
        stdin: Bool = false, expectAlive: Bool = true, terminal: PseudoTerminal? = nil, standardInput: Pipe? = nil
    ) throws -> ManagedProcess {
        let url = try Paths.binary(tool)
        let label = name ?? tool
        let index = launched.count
        let outPath = workDir.appendingPathComponent("\(index)-\(label).stdout").path
        let errPath = workDir.appendingPathComponent("\(index)-\(label).stderr").path
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
            FileManager.default.createFile(atPath: errPath, contents: nil),
            let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath)
        else { throw HarnessFailure("cannot create log files in \(workDir.path)") }
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        p.currentDirectoryURL = Paths.packageRoot
        // Every broker and producer of a test shares this publish secret unless the test says otherwise (an empty
        // value counts as unset).
        var env: [String: String] = ["LANG": "C.UTF-8", "PUBLISH_SECRET": testPublishSecret]
        let inherited = ProcessInfo.processInfo.environment
        for k in ["PATH", "HOME", "TMPDIR"] { if let v = inherited[k] { env[k] = v } }
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardOutput = out
        p.standardError = err
        var pipe: Pipe?
        if let terminal {
            // stdin and stdout on the terminal; what it shows is copied into the stdout file as it comes.
            p.standardInput = terminal.secondary
            p.standardOutput = terminal.secondary
            terminal.copyOutput(to: outPath)
        } else if let standardInput {
            // Another process's output (ffmpeg ... -f mjpeg - piped into a producer).
            p.standardInput = standardInput
        } else if stdin {
            pipe = Pipe()
            p.standardInput = pipe
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        do { try p.run() } catch { throw HarnessFailure("cannot start \(url.path): \(error)") }
        try? out.close()
        try? err.close()
        terminal?.closeSecondary()
        let m = ManagedProcess(name: label, process: p, stdoutPath: outPath, stderrPath: errPath, stdinPipe: pipe, expectAlive: expectAlive)
        launched.append(m)
        return m
    }

    /// Polls `condition` every 20 ms until it holds; throws after `timeout` seconds, or at once when a process that
    /// should be alive has exited. Returns the seconds waited.
    @discardableResult
    func waitUntil(_ what: @autoclosure () -> String, timeout: Double = 30, _ condition: () throws -> Bool) throws -> Double {
        let start = monotonicNow()
        while true {
            if try condition() { return monotonicNow() - start }
            if let dead = launched.first(where: { $0.expectAlive && !$0.isRunning }) {
                // It may have produced the awaited event just before exiting.
                if try condition() { return monotonicNow() - start }
                throw HarnessFailure(
                    "\(dead.name) exited unexpectedly (status \(dead.exitStatus!)) while waiting until \(what())\n\(diagnostics())")
            }
            if monotonicNow() - start > timeout {
                throw HarnessFailure("timed out after \(Int(timeout)) s waiting until \(what())\n\(diagnostics())")
            }
            usleep(20_000)
        }
    }

    /// Waits for `process` to exit by itself; returns its status.
    @discardableResult
    func waitForExit(_ process: ManagedProcess, timeout: Double = 30) throws -> Int32 {
        let keep = process.expectAlive
        process.expectAlive = false
        defer { process.expectAlive = keep }
        try waitUntil("\(process.name) exits", timeout: timeout) { !process.isRunning }
        process.process.waitUntilExit()
        return process.exitStatus!
    }

    func diagnostics() -> String { launched.map { $0.logTail() }.joined(separator: "\n") }

    // MARK: The pieces

    struct Broker {
        let process: ManagedProcess
        let port: UInt16
        let metricsPort: UInt16?
        var address: String { "127.0.0.1:\(port)" }
    }

    /// Starts a broker (on `port`, or a free one) and waits until it listens.
    func startBroker(port: UInt16? = nil, metrics: Bool = false, name: String = "broker", extra: [String] = []) throws -> Broker {
        let p = try port ?? Ports.freeUDP()
        let m = metrics ? try Ports.freeTCP() : nil
        var args = ["--address", "127.0.0.1:\(p)"]
        // Tests poll /metrics and the API every 20 ms while they wait: far past the default per-source rate.
        if let m { args += ["--metrics", "127.0.0.1:\(m)", "--scrape-rate", "1000"] }
        let proc = try launch("broker", args + extra, name: name)
        try waitUntil("\(name) listens on \(p)", timeout: 20) { proc.stderr.contains("listening on 127.0.0.1:\(p)") }
        if m != nil { try waitUntil("\(name) serves metrics", timeout: 20) { proc.stderr.contains("metrics on http://") } }
        return Broker(process: proc, port: p, metricsPort: m)
    }

    /// Starts a producer of the sample media `id` against `brokerPort` (the broker or a relay in front of it).
    @discardableResult
    func startProducer(
        _ id: String, brokerPort: UInt16, rate: Double = 30, audio: Bool = true, extra: [String] = [], expectAlive: Bool = true
    ) throws -> ManagedProcess {
        var args = ["--broker", "127.0.0.1:\(brokerPort)", "--bind", try Ports.freeLocalAddress()]
        args += ["--id", id, "--frames", Paths.frames(id).path, "--rate", "\(rate)"]
        if audio { args += ["--audio", Paths.audio(id).path] }
        return try launch("producer", args + extra, name: "producer-\(id)", expectAlive: expectAlive)
    }

    /// Waits until `broker` has logged `producer <id> online` at least `count` times.
    func waitForProducerOnline(_ id: String, at broker: Broker, count: Int = 1, timeout: Double = 20) throws {
        try waitUntil("broker sees producer \(id) online", timeout: timeout) {
            broker.process.stderr.components(separatedBy: "producer \(id) online").count - 1 >= count
        }
    }

    /// Starts a client with a stdin pipe, status lines off, saving under `output` when given.
    @discardableResult
    func startClient(brokerPort: UInt16, subscribe: [String] = [], output: URL? = nil, name: String = "client", extra: [String] = []) throws
        -> ManagedProcess
    {
        var args = ["--broker", "127.0.0.1:\(brokerPort)", "--bind", try Ports.freeLocalAddress(), "--status-interval", "0"]
        if !subscribe.isEmpty { args += ["--subscribe", subscribe.joined(separator: ",")] }
        if let output { args += ["--output", output.path] }
        return try launch("client", args + extra, name: name, stdin: true)
    }

    /// Waits until `client` printed a line containing `text` (at least `count` such lines); returns the last one.
    @discardableResult
    func waitForLine(_ client: ManagedProcess, containing text: String, count: Int = 1, timeout: Double = 20) throws -> String {
        var found: [String] = []
        try waitUntil("\(client.name) prints a line containing '\(text)'" + (count > 1 ? " (\(count) times)" : ""), timeout: timeout) {
            found = client.stdoutLines.filter { $0.contains(text) }
            return found.count >= count
        }
        return found.last!
    }

    /// Waits until `client` printed a line starting with `text` (at least `count` such lines); returns the last one.
    @discardableResult
    func waitForLine(_ client: ManagedProcess, startingWith text: String, count: Int = 1, timeout: Double = 20) throws -> String {
        var found: [String] = []
        try waitUntil("\(client.name) prints a line starting with '\(text)'" + (count > 1 ? " (\(count) times)" : ""), timeout: timeout) {
            found = client.stdoutLines.filter { $0.hasPrefix(text) }
            return found.count >= count
        }
        return found.last!
    }

    // MARK: Saved frames

    /// The complete files a client saved for `stream` (8 hex digits) under `output`, ignoring `*.part`.
    func savedFiles(_ output: URL, stream: String) -> [URL] {
        let dir = output.appendingPathComponent(stream)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasSuffix(".part") }.sorted().map { dir.appendingPathComponent($0) }
    }

    func savedCount(_ output: URL, stream: String) -> Int { savedFiles(output, stream: stream).count }

    /// The stream folders a client created under `output`.
    func streamFolders(_ output: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? [])
    }

    /// Waits until `output` holds no new file for `quiet` seconds (bounded by `timeout`).
    func waitForQuiet(_ output: URL, streams: [String], quiet: Double = 1, timeout: Double = 15) throws {
        var last = -1
        var since = monotonicNow()
        try waitUntil("no new files under \(output.lastPathComponent) for \(quiet) s", timeout: timeout) {
            let n = streams.reduce(0) { $0 + savedCount(output, stream: $1) }
            if n != last {
                last = n
                since = monotonicNow()
            }
            return monotonicNow() - since >= quiet
        }
    }
}

// MARK: - Sample media

/// The bytes of a producer's source files, to check that saved frames are byte-identical to one of them.
struct SourceSet {
    let byBytes: [Data: String]

    init(folder: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        var map: [Data: String] = [:]
        for n in names { map[try Data(contentsOf: folder.appendingPathComponent(n))] = n }
        guard !map.isEmpty else { throw HarnessFailure("no sample media in \(folder.path)") }
        byBytes = map
    }

    var count: Int { byBytes.count }

    /// The source file name `file` is identical to, or nil.
    func match(_ file: URL) -> String? {
        guard let d = try? Data(contentsOf: file) else { return nil }
        return byBytes[d]
    }

    /// Checks every file; returns the distinct sources seen and the files that match none.
    func check(_ files: [URL]) -> (seen: Set<String>, mismatched: [String]) {
        var seen = Set<String>()
        var bad: [String] = []
        for f in files {
            if let s = match(f) { seen.insert(s) } else { bad.append(f.lastPathComponent) }
        }
        return (seen, bad)
    }
}

// MARK: - Sockets

enum Ports {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut = Set<UInt16>()

    /// A port the kernel just gave a UDP socket bound to 127.0.0.1:0 (then closed), never handed out twice here.
    /// The probe does not set SO_REUSEADDR, so the port was in use by no socket at all.
    static func freeUDP() throws -> UInt16 { try free(type: SOCK_DGRAM) }

    /// `127.0.0.1:<free port>` for a producer's or client's `--bind`. Left to pick their own port, they bind
    /// 0.0.0.0:0 with SO_REUSEADDR, and Linux may then hand them a port another SO_REUSEADDR socket already holds
    /// (a broker's, or one of the thousands a concurrent load test opens): replies then go to the wrong socket and
    /// the peer never connects. A probed port bound to 127.0.0.1 explicitly avoids both.
    static func freeLocalAddress() throws -> String { "127.0.0.1:\(try freeUDP())" }
    static func freeTCP() throws -> UInt16 { try free(type: SOCK_STREAM) }

    private static func free(type: __socket_type) throws -> UInt16 {
        for _ in 0..<50 {
            let fd = socket(AF_INET, Int32(type.rawValue), 0)
            guard fd >= 0 else { throw HarnessFailure("socket(): errno \(errno)") }
            defer { close(fd) }
            var addr = loopback(port: 0)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard ok == 0 else { continue }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            let port = UInt16(bigEndian: addr.sin_port)
            let fresh = lock.withLock { handedOut.insert(port).inserted }
            if fresh { return port }
        }
        throw HarnessFailure("no free port found")
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return a
    }
}

/// A UDP socket for sending raw datagrams at a port on 127.0.0.1.
final class RawUDPSender {
    let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessFailure("socket(): errno \(errno)") }
    }

    deinit { close(fd) }

    /// Sends one datagram; returns false when the kernel refused it (a full buffer, for instance).
    @discardableResult
    func send(_ bytes: [UInt8], to port: UInt16) -> Bool { sendDatagram(bytes, from: fd, to: port) }
}

/// Sends one datagram from socket `fd` to 127.0.0.1:`port`; false when the kernel refused it.
func sendDatagram(_ bytes: [UInt8], from fd: Int32, to port: UInt16) -> Bool {
    var addr = Ports.loopback(port: port)
    let n = bytes.withUnsafeBytes { buf in
        withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    return n == bytes.count
}

/// A plain HTTP/1.0 GET over a TCP socket to 127.0.0.1:`port` (URLSession needs FoundationNetworking on Linux).
/// Returns the status code and body.
func httpGet(port: UInt16, path: String, timeoutSeconds: Int = 5) throws -> (status: Int, body: String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessFailure("socket(): errno \(errno)") }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = Ports.loopback(port: port)
    let c = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard c == 0 else { throw HarnessFailure("connect to 127.0.0.1:\(port): errno \(errno)") }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
    var off = 0
    while off < request.count {
        let n = request[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw HarnessFailure("send to 127.0.0.1:\(port): errno \(errno)") }
        off += n
    }
    var response: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { break }
        guard n > 0 else { throw HarnessFailure("recv from 127.0.0.1:\(port): errno \(errno)") }
        response += buf[0..<n]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw HarnessFailure("no HTTP header in response: \(text.prefix(200))") }
    let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let status = Int(parts[1]) else { throw HarnessFailure("bad HTTP status line: \(statusLine)") }
    return (status, String(text[split.upperBound...]))
}

// MARK: - Saved file names

/// Capture time and frame number from a saved file's name, `<capture time µs>-<frame number>.<ext>`.
func savedName(_ file: URL) -> (captureTime: UInt64, frameNumber: UInt32)? {
    let base = file.deletingPathExtension().lastPathComponent
    let parts = base.split(separator: "-")
    guard parts.count == 2, let t = UInt64(parts[0]), let n = UInt32(parts[1]) else { return nil }
    return (t, n)
}

/// The number in a source file's name (`frame17.jpg` -> 17).
func sourceNumber(_ name: String) -> Int? { Int(name.filter(\.isNumber)) }
