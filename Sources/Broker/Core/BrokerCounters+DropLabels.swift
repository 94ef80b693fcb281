/// The refusal and malformed series of `broker_drops_total` (docs/METRICS.md), kept beside the counters so a test
/// of the core can check the labels /metrics prints.
extension BrokerCounters {
    /// (reason label, count): the malformed kinds first, prefixed `malformed_`, then the refusals, each in label
    /// order and only those counted at least once (a series appears after its first occurrence).
    public var refusalDrops: [(label: String, count: Int)] {
        malformed.occurred.map { ("malformed_" + $0.reason.label, $0.count) } + refused.occurred.map { ($0.reason.label, $0.count) }
    }
}
