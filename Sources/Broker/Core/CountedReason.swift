/// A reason the broker counts (a refusal, a malformed datagram): an enum whose raw values are 0, 1, 2, ... so a
/// counter per case is an array slot, and whose `label` is its series in `broker_drops_total` (docs/METRICS.md).
/// A label is a public name: dashboards and alerts key on it, so it never changes once shipped.
public protocol CountedReason: RawRepresentable<Int>, CaseIterable, Sendable {
    /// The stable metric label.
    var label: String { get }
}
