import BrokerCore
import Platform
import Wire

/// An edge's BROKER_UPSTREAM, resolved like BROKER_PEERS (a name with several addresses, such as a Kubernetes
/// headless Service, gives the whole tier above): the core keeps its upstream while it is listed.
extension BrokerServer {
    func startUpstreamResolver() -> PosixThread? {
        guard !config.upstream.isEmpty else { return nil }
        let r = PeerResolver(entries: config.upstream, intervalMicros: 5_000_000)
        upstreamResolver = r
        log.info("edge: upstream \(config.upstream.joined(separator: ", ")), resolved every 5 s")
        return r.start()
    }

    func takeResolvedUpstreams(now: Int64) {
        guard let r = upstreamResolver else { return }
        let (addresses, generation, failures) = r.latest()
        guard generation != upstreamGeneration else { return }
        upstreamGeneration = generation
        for (entry, why) in failures.sorted(by: { $0.key < $1.key }) { log.warning("edge: upstream entry \(entry) does not resolve (yet): \(why)") }
        core.setUpstreams(addresses, now: now)
        log.info("edge: upstream addresses now \(addresses.map(\.description).joined(separator: ", "))")
    }
}
