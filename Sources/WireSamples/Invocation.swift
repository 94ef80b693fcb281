import Capture
import Foundation
import Platform
import Wire

/// The command line: a command, a file for the writing ones, and the ports.
struct Invocation {
    var command: String
    var path: String?
    var port: UInt16 = 5000
    var heurPort: UInt16
    var sourcePort: UInt16

    init(_ arguments: [String]) {
        var args = arguments
        guard !args.isEmpty else { Self.fail(usage) }
        command = args.removeFirst()
        func option(_ name: String) -> UInt16? {
            guard let i = args.firstIndex(of: name) else { return nil }
            guard i + 1 < args.count, let v = UInt16(args[i + 1]) else { Self.fail("\(name) needs a port\n\(usage)") }
            args.removeSubrange(i...i + 1)
            return v
        }
        port = option("--port") ?? 5000
        heurPort = option("--heur-port") ?? port + 1
        sourcePort = option("--src-port") ?? port + 2
        path = args.first
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exitProcess(2)
    }

    static func address(_ p: UInt16) -> PeerAddress { PeerAddress(ipv4: 0x7F00_0001, port: p) }

    func destination(_ s: Sample) -> UInt16 { s.port == .main ? port : heurPort }

    func run() {
        switch command {
        case "list":
            for (i, s) in SampleSet.all().enumerated() { print(i + 1, s.port.rawValue, s.name, SampleEncoder.hex(s.bytes)) }
        case "expectations":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            guard let json = try? encoder.encode(SampleSet.all()) else { Self.fail("cannot encode the expectations") }
            print(String(decoding: json, as: UTF8.self))
        case "send":
            send(SampleSet.all())
        case "write-pcap":
            writePcap(SampleSet.all().map { (sourcePort, destination($0), $0.bytes) })
        case "write-conversation":
            writePcap(Conversation(port: port).lines.map { ($0.from, $0.to, $0.bytes) })
        case "codec":
            CodecPipe.run()
        case "conversation-info":
            for line in Conversation(port: port).lines { print(line.info) }
        default:
            Self.fail(usage)
        }
    }

    func writePcap(_ records: [(from: UInt16, to: UInt16, bytes: [UInt8])]) {
        guard let path else { Self.fail(usage) }
        var out = PcapFormat.fileHeader()
        let start = Clock.wallMicros() / 1_000_000 * 1_000_000
        for (i, r) in records.enumerated() {
            out += PcapFormat.record(
                r.bytes, from: Self.address(r.from), to: Self.address(r.to), wallMicros: start + UInt64(i) * 1000, ipID: UInt16(i + 1))
        }
        do { try Files.write(path, out) } catch { Self.fail("\(path): \(error)") }
    }

    /// Sends every sample from the source port, with sockets bound on the destination ports to absorb them (so the
    /// kernel sends no ICMP "port unreachable"), a little apart so the capture keeps them in order.
    func send(_ samples: [Sample]) {
        let sinks = [port, heurPort].compactMap { try? UDPSocket(bind: Self.address($0)) }
        if sinks.count < 2 { FileHandle.standardError.write(Data("note: cannot bind both destination ports; sending anyway\n".utf8)) }
        let socket: UDPSocket
        do { socket = try UDPSocket(bind: Self.address(sourcePort)) } catch { Self.fail("bind \(sourcePort): \(error)") }
        for s in samples {
            if case .failed(let errno) = socket.send(s.bytes, to: Self.address(destination(s))) { Self.fail("\(s.name): send failed (errno \(errno))") }
            Clock.sleepMicros(2000)
        }
        withExtendedLifetime(sinks) {}
    }
}
