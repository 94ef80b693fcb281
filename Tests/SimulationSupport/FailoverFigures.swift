import Foundation

/// What a failover run cost the viewers, summed over runs: the longest gap each client saw between delivered
/// frames, the frames lost and received twice, the moves, and the peer snapshot pages. Printed as one
/// `failover-sim` line so docs/PERFORMANCE.md can quote it.
public struct FailoverFigures {
    public var longestGaps: [Int64] = []
    public var lost = 0
    public var expected = 0
    public var duplicates = 0
    public var clientMoves = 0
    public var producerMoves = 0
    public var peerPages = 0

    public init() {}

    /// Adds the clients in `clients` (all by default) over `window` (send time for losses, arrival time for gaps).
    public mutating func add(_ c: ClusterSimulation, window: Range<Int64>, clients: Range<Int>? = nil) {
        for i in clients ?? c.clients.indices {
            let client = c.clients[i]
            let numbers = client.frames.map(\.number)
            duplicates += numbers.count - Set(numbers).count
            clientMoves += client.moves.count
            let (got, want) = c.delivered(client: i, stream: client.selector, window: window)
            lost += want - got
            expected += want
            longestGaps.append(Self.longestGap(client.frames.filter { window.contains($0.time) }.map(\.time)))
        }
    }

    /// Adds the producers' moves.
    public mutating func addProducers(_ c: ClusterSimulation) {
        producerMoves += c.producers.reduce(0) { $0 + ($1.session.brokers?.moves ?? 0) }
    }

    public mutating func merge(_ o: FailoverFigures) {
        longestGaps += o.longestGaps
        lost += o.lost
        expected += o.expected
        duplicates += o.duplicates
        clientMoves += o.clientMoves
        producerMoves += o.producerMoves
        peerPages += o.peerPages
    }

    public static func longestGap(_ times: [Int64]) -> Int64 {
        let t = times.sorted()
        return zip(t, t.dropFirst()).map { $1 - $0 }.max() ?? 0
    }

    /// The longest-gap quantile `q`, in ms.
    public func gapMillis(_ q: Double) -> Double {
        let g = longestGaps.sorted()
        guard !g.isEmpty else { return 0 }
        return Double(g[min(g.count - 1, Int(Double(g.count) * q))]) / 1000
    }

    public func line(_ label: String) -> String {
        "failover-sim \(label): longest gap per client p50 \(String(format: "%.1f", gapMillis(0.5))) ms, max \(String(format: "%.1f", gapMillis(1))) ms;"
            + " frames lost \(lost) of \(expected); duplicates \(duplicates); moves: clients \(clientMoves), producers \(producerMoves);"
            + " peer snapshot pages \(peerPages)"
    }
}
