import BrokerCore
import Foundation
import Wire

extension TreeSimulation {
    /// The frames of client `i`'s stream sent in `window`, and how many of them it received intact.
    public func delivered(client i: Int, window: Range<Int64>) -> (delivered: Int, expected: Int) {
        let expected = (sent[clients[i].selector] ?? [:]).filter { window.contains($0.value.time) }
        let got = Set(clients[i].frames)
        return (expected.keys.count(where: { got.contains($0) }), expected.count)
    }

    /// Frames each stream's producer sent (one datagram each).
    public func framesSent(_ stream: StreamID) -> Int { sent[stream]?.count ?? 0 }

    /// Original (not resent, not from the join cache) DATA datagrams of `stream` broker `b` was sent by other
    /// brokers, per datagram its producer sent: at most 1 when the tree carries each stream once per child.
    public func receiveRatio(broker b: Int, stream: StreamID) -> Double {
        Double(received[b][stream]?.originals ?? 0) / Double(max(framesSent(stream), 1))
    }

    /// The brokers client `i` depends on when nothing has failed: its first broker, that one's first upstream, ...
    public func chain(client i: Int) -> [Int] {
        var out = [clients[i].brokers[0]]
        while let up = brokers[out.last!].upstreams.first { out.append(up) }
        return out
    }

    /// Every stream of the run.
    public var streams: [StreamID] { producers.map { StreamID(producer: $0.id, index: 1) } }

    /// The process's peak resident set in MiB (VmHWM, what getrusage's ru_maxrss reports; tests may not import
    /// Glibc), or nil where /proc is missing.
    public static func maxRSSMiB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        else { return nil }
        return kib / 1024
    }
}
