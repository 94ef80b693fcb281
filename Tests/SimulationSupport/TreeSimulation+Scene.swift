import Wire

extension TreeSimulation {
    /// The shape of a tree scene (issue 24).
    public struct Shape {
        public var cores = 3
        /// Edges under the cores: edge k's upstreams are cores k % cores and (k + 1) % cores.
        public var edges = 4
        /// Edges under edges: edge k's upstreams are first-level edges 2k and 2k + 1 (mod `edges`).
        public var secondLevel = 1
        /// Streams: even ones produced on cores 0 and 1 in turn (core 2 has none, so killing it strands no
        /// producer), odd ones on the first-level edges from the last one down (edge 0 has none).
        public var streams = 2
        public var clients = 20
        public init(cores: Int = 3, edges: Int = 4, secondLevel: Int = 1, streams: Int = 2, clients: Int = 20) {
            self.cores = cores
            self.edges = edges
            self.secondLevel = secondLevel
            self.streams = streams
            self.clients = clients
        }
    }

    /// Index of first-level edge `k`, and of second-level edge `k`.
    public func edge(_ k: Int) -> Int { shape.cores + k }
    public func secondLevelEdge(_ k: Int) -> Int { shape.cores + shape.edges + k }

    /// Builds `shape`: producers start at 0.2 s; clients start spread over 0.3–0.8 s, each on an edge (round robin
    /// over all edges) and given the next edge of its level too (a lone second-level edge's: first-level edge 2), watching stream `i % streams`.
    public static func scene(_ shape: Shape, conditions: InMemoryNetwork.Conditions, seed: UInt64, mediaUntil: Int64) -> TreeSimulation {
        let t = TreeSimulation(conditions: conditions, seed: seed, mediaUntil: mediaUntil)
        t.shape = shape
        t.addCores(shape.cores)
        for k in 0..<shape.edges { t.addEdge(upstreams: [k % shape.cores, (k + 1) % shape.cores]) }
        for k in 0..<shape.secondLevel { t.addEdge(upstreams: [t.edge(2 * k % shape.edges), t.edge((2 * k + 1) % shape.edges)]) }
        for s in 0..<shape.streams {
            let id = ProducerID(rawValue: 0x10_0000 + UInt32(s) * 0x111)!
            if s % 2 == 0 {
                let core = s / 2 % 2
                t.addProducer(id, brokers: [core, 1 - core], startAt: 200_000 + Int64(s) * 7_000)
            } else {
                let k = shape.edges - 1 - (s / 2) % (shape.edges - 1)
                t.addProducer(id, brokers: [t.edge(k), t.edge(k - 1)], startAt: 200_000 + Int64(s) * 7_000)
            }
        }
        let leaves = (0..<shape.edges).map { t.edge($0) } + (0..<shape.secondLevel).map { t.secondLevelEdge($0) }
        for i in 0..<shape.clients {
            let b = leaves[i % leaves.count]
            let second: Int
            if b < t.secondLevelEdge(0) {
                second = t.edge((b - t.edge(0) + 1) % shape.edges)
            } else if shape.secondLevel > 1 {
                second = t.secondLevelEdge((b - t.secondLevelEdge(0) + 1) % shape.secondLevel)
            } else {
                second = t.edge(2 % shape.edges)  // not one of its own upstreams (edges 0 and 1)
            }
            let selector = StreamID(producer: t.producers[i % shape.streams].id, index: 1)
            t.addClient(brokers: [b, second], selector: selector, startAt: 300_000 + Int64(i) * 500_000 / Int64(max(shape.clients, 1)))
        }
        return t
    }
}
