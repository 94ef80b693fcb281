import Foundation
import XCTest

// What the player tests share: a cluster with the viewer's web port, external players run as processes with a
// deadline, the viewer's /api/readers read back, and a raw-socket reader of the multipart MJPEG body.

/// A local cluster whose client serves the viewer (`client --web`).
struct ViewerCluster {
    let broker: IntegrationTestCase.Broker
    let client: ManagedProcess
    let webPort: UInt16
    var base: String { "http://127.0.0.1:\(webPort)" }
    func url(_ path: String) -> String { base + path }
}

/// One open reader as `/api/readers` lists it.
struct ReaderFigures {
    let stream: String
    let path: String
    let peer: String
    let framesSent: Int
    let bytesSent: Int
    let framesDropped: Int
    let queuedBytes: Int
}

/// One stream's readers' figures as `/api/readers` lists them.
struct StreamFigures {
    let readers: Int
    let opened: Int
    let framesSent: Int
    let framesDropped: Int
    let closedSlow: Int
}

extension IntegrationTestCase {
    /// Broker, producers (`producers`: id and rate; audio on) and `client --web` on free loopback ports; waits until
    /// the viewer lists every producer in `/streams.m3u`.
    func startViewer(_ producers: [(String, Double)] = [("1AAA99", 24)], clientExtra: [String] = []) throws -> ViewerCluster {
        let broker = try startBroker(metrics: true)
        for (id, rate) in producers { try startProducer(id, brokerPort: broker.port, rate: rate) }
        for (id, _) in producers { try waitForProducerOnline(id, at: broker) }
        let web = try Ports.freeTCP()
        let client = try startClient(brokerPort: broker.port, extra: ["--web", "127.0.0.1:\(web)"] + clientExtra)
        try waitUntil("the viewer lists every producer in /streams.m3u") {
            guard let m3u = try? httpGet(port: web, path: "/streams.m3u"), m3u.status == 200 else { return false }
            return producers.allSatisfy { m3u.body.contains($0.0) }
        }
        return ViewerCluster(broker: broker, client: client, webPort: web)
    }

    /// `/api/readers` parsed: the open readers and the per-stream figures.
    func readerFigures(_ v: ViewerCluster) throws -> (readers: [ReaderFigures], streams: [String: StreamFigures], refused: Int) {
        let r = try httpGet(port: v.webPort, path: "/api/readers")
        guard r.status == 200, let json = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
            let open = json["readers"] as? [[String: Any]], let streams = json["streams"] as? [[String: Any]]
        else { throw HarnessFailure("/api/readers answered \(r.status): \(r.body.prefix(300))") }
        let readers = open.map {
            ReaderFigures(
                stream: $0["stream"] as? String ?? "", path: $0["path"] as? String ?? "", peer: $0["peer"] as? String ?? "",
                framesSent: $0["framesSent"] as? Int ?? -1, bytesSent: $0["bytesSent"] as? Int ?? -1,
                framesDropped: $0["framesDropped"] as? Int ?? -1, queuedBytes: $0["queuedBytes"] as? Int ?? -1)
        }
        var byStream: [String: StreamFigures] = [:]
        for s in streams {
            byStream[s["stream"] as? String ?? ""] = StreamFigures(
                readers: s["readers"] as? Int ?? -1, opened: s["opened"] as? Int ?? -1, framesSent: s["framesSent"] as? Int ?? -1,
                framesDropped: s["framesDropped"] as? Int ?? -1, closedSlow: s["closedSlow"] as? Int ?? -1)
        }
        return (readers, byStream, json["refused"] as? Int ?? -1)
    }

    /// The client's resident memory in KB (VmRSS of /proc/PID/status).
    func residentKB(_ p: ManagedProcess) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(p.pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    // MARK: External players

    /// The path of an installed tool, or a skip when it is missing outside CI (CI installs it in .ci/run and must
    /// never skip: there a missing tool fails the test).
    func requireTool(_ name: String, package: String) throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
        if ci { throw HarnessFailure("\(name) is not installed; .ci/run installs it (apt-get install -y \(package))") }
        throw XCTSkip("\(name) is not installed (apt-get install -y \(package)); CI installs it")
    }

    /// Runs `tool` to its end (a failure after `timeout` s), or with `stopAfter` until then and then SIGTERM; returns
    /// its status, both outputs, and whether it had to be stopped.
    func runTool(_ tool: String, _ arguments: [String], timeout: Double = 60, stopAfter: Double? = nil) throws
        -> (status: Int32, stdout: String, stderr: String, stopped: Bool)
    {
        let out = workDir.appendingPathComponent("tool-\(UUID().uuidString.prefix(6)).out")
        let err = workDir.appendingPathComponent("tool-\(UUID().uuidString.prefix(6)).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let start = monotonicNow()
        let limit = stopAfter ?? timeout
        while p.isRunning && monotonicNow() - start < limit { usleep(20_000) }
        var stopped = false
        if p.isRunning {
            p.terminate()
            stopped = true
            let deadline = monotonicNow() + 10
            while p.isRunning && monotonicNow() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            if stopAfter == nil {
                throw HarnessFailure("\(tool) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s:\n\(read(err))")
            }
        }
        p.waitUntilExit()
        return (p.terminationStatus, read(out), read(err), stopped)
    }

    private func read(_ url: URL) -> String { String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
}

/// A raw reader of a live body (`GET path HTTP/1.1`): the response head, then MJPEG parts one by one.
final class RawStreamReader: @unchecked Sendable {
    let connection: TCPConnection
    private var buffer: [UInt8] = []
    private(set) var head = ""

    /// Connects and sends the request; `receiveBuffer` shrinks the socket's receive buffer (a slow reader).
    init(port: UInt16, path: String, method: String = "GET", extraHeaders: String = "", receiveBuffer: Int32? = nil) throws {
        connection = try TCPConnection(port: port)
        if var size = receiveBuffer {
            setsockopt(connection.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(extraHeaders)\r\n"
        guard connection.send(Array(request.utf8)) else { throw HarnessFailure("cannot send \(method) \(path)") }
    }

    /// The port this end of the connection has (what `/api/readers` shows as the reader's peer).
    var localPort: UInt16 {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(connection.fd, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// Receives once (up to `max` bytes) into the buffer; false at the end of the stream or a timeout.
    @discardableResult
    func fill(max: Int = 65_536) -> Bool {
        var chunk = [UInt8](repeating: 0, count: max)
        let n = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// The response head (status line and fields); throws when the connection ends first.
    func readHead() throws -> String {
        while true {
            if let end = find(Array("\r\n\r\n".utf8)) {
                head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return head
            }
            guard fill() else { throw HarnessFailure("the connection ended before a response head: \(String(decoding: buffer, as: UTF8.self))") }
        }
    }

    var status: Int? { head.split(separator: " ").dropFirst().first.flatMap { Int($0) } }

    /// The next part's JPEG (after the boundary line and the part's fields); nil when the stream ends.
    func nextPart() throws -> [UInt8]? {
        var length: Int?
        while length == nil {
            guard let end = find(Array("\r\n\r\n".utf8)) else {
                if !fill() { return nil }
                continue
            }
            let fields = String(decoding: buffer[0..<end], as: UTF8.self)
            buffer.removeFirst(end + 4)
            guard fields.hasPrefix("--vbframe\r\n") || fields.hasPrefix("\r\n--vbframe\r\n") else { throw HarnessFailure("not a part boundary: \(fields.prefix(80))") }
            guard let line = fields.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                let n = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
            else { throw HarnessFailure("a part without Content-Length: \(fields)") }
            length = n
        }
        while buffer.count < length! { if !fill() { return nil } }
        let jpeg = Array(buffer[0..<length!])
        buffer.removeFirst(length!)
        return jpeg
    }

    /// The next `n` bytes of the body; nil when the stream ends first.
    func read(_ n: Int) -> [UInt8]? {
        while buffer.count < n { if !fill() { return nil } }
        defer { buffer.removeFirst(n) }
        return Array(buffer[0..<n])
    }

    /// Whatever is left of the body until the peer closes (or the receive timeout passes).
    func drain() -> [UInt8] {
        while fill() {}
        defer { buffer = [] }
        return buffer
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    func close() { connection.close() }
}
