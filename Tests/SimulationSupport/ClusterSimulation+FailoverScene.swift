import Wire

extension ClusterSimulation {
    /// The two producers of the failover scene.
    public static let sceneProducers = (ProducerID(rawValue: 0x1A_AA99)!, ProducerID(rawValue: 0x2B_BB77)!)

    /// The failover tests' scene (issue 14): three brokers; producers 1AAA99 and 2BBB77 on brokers 0 and 1; six
    /// clients, client i on broker i % 3 watching 1AAA99's video if i is even, else 2BBB77's; every producer and
    /// client given the whole broker list. Links of 1 ms + up to 2 ms jitter, losing `loss` each way, and then
    /// duplicating 2% too.
    public static func failoverScene(loss: Double, seed: UInt64, mediaUntil: Int64) -> ClusterSimulation {
        let c = ClusterSimulation(
            brokers: 3, conditions: InMemoryNetwork.Conditions(loss: loss, duplication: loss > 0 ? 0.02 : 0, baseDelay: 1_000, jitter: 2_000),
            seed: seed, mediaUntil: mediaUntil)
        let (p1, p2) = sceneProducers
        c.addProducer(p1, broker: 0, startAt: 200_000, failover: true)
        c.addProducer(p2, broker: 1, startAt: 300_000, failover: true)
        for i in 0..<6 {
            c.addClient(broker: i % 3, selector: StreamID(producer: i % 2 == 0 ? p1 : p2, index: 1), startAt: 400_000 + Int64(i) * 50_000, failover: true)
        }
        return c
    }
}
