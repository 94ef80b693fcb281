import Wire

/// What `loadgen` runs: how many sessions, where, subscribed to what.
struct LoadConfig {
    /// Every broker of BROKER_ADDRESS: with more than one, each session starts on a random one and fails over.
    var brokers: [PeerAddress]
    var sessions = 1
    var subscribe: [StreamID] = []
    /// Session i subscribes only to the i-th id of `subscribe`.
    var spread = false
    var timers = Timers()
    var limits = Limits()

    var broker: PeerAddress { brokers[0] }
}
