/// The broker's work for session churn, counted in elementary steps rather than timed, so tests can prove that
/// subscribing, unsubscribing, leaving and lease expiry cost the same with 10 subscribers as with 10,000.
public struct ChurnWork: Sendable, Equatable {
    /// Due lease-wheel entries looked at (each is one session: renewed, expired, or already ended).
    public var leaseChecks = 0
    /// Keys scheduled, keys taken and buckets passed in the lease wheel.
    public var leaseWheelOperations = 0
    /// Subscribers added to or removed from a stream's fan-out list (a rebuild counts every member).
    public var fanoutUpdates = 0

    public init(leaseChecks: Int = 0, leaseWheelOperations: Int = 0, fanoutUpdates: Int = 0) {
        self.leaseChecks = leaseChecks
        self.leaseWheelOperations = leaseWheelOperations
        self.fanoutUpdates = fanoutUpdates
    }

    /// All steps together.
    public var total: Int { leaseChecks + leaseWheelOperations + fanoutUpdates }

    public static func - (a: ChurnWork, b: ChurnWork) -> ChurnWork {
        ChurnWork(
            leaseChecks: a.leaseChecks - b.leaseChecks, leaseWheelOperations: a.leaseWheelOperations - b.leaseWheelOperations,
            fanoutUpdates: a.fanoutUpdates - b.fanoutUpdates)
    }
}
