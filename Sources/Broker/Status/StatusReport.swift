import BrokerCore
import Wire

/// The JSON the status page and its API serve (docs/API.md), built from the core's read-only views. Pure: the
/// same core and context give the same text. Times are milliseconds since 1970 (`*_ms`), durations say their unit.
public enum StatusReport {
    /// `/api/streams`: every tracked stream, the producers with a session, and the blocked producer ids.
    public static func streams(_ core: BrokerCore, _ ctx: StatusContext) -> String {
        var w = JSONWriter()
        w.beginObject()
        writeStreams(&w, core, ctx)
        w.endObject()
        return w.text
    }

    /// `/api/subscribers`: every client session.
    public static func subscribers(_ core: BrokerCore, _ ctx: StatusContext) -> String {
        var w = JSONWriter()
        w.beginObject()
        writeSubscribers(&w, core, ctx)
        w.endObject()
        return w.text
    }

    /// `/api/cluster`: this broker and its peer links (none until the cluster exists).
    public static func cluster(_ core: BrokerCore, _ ctx: StatusContext) -> String {
        var w = JSONWriter()
        w.beginObject()
        writeCluster(&w, core, ctx)
        w.endObject()
        return w.text
    }

    /// `/api/history`: each stream's online and offline events, oldest first.
    public static func history(_ core: BrokerCore, _ ctx: StatusContext) -> String {
        var w = JSONWriter()
        w.beginObject()
        writeHistory(&w, core, ctx)
        w.endObject()
        return w.text
    }

    /// `/api/status`: all four in one object (what the page polls), plus the session's CSRF token.
    public static func all(_ core: BrokerCore, _ ctx: StatusContext, csrf: String?) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.string("csrf", csrf)
        w.int64("generated_ms", Int64(ctx.wallMicros / 1000))
        w.beginObject("cluster")
        writeCluster(&w, core, ctx)
        w.endObject()
        writeStreams(&w, core, ctx)
        writeSubscribers(&w, core, ctx)
        w.beginObject("history")
        writeHistory(&w, core, ctx)
        w.endObject()
        w.endObject()
        return w.text
    }

    static func writeStreams(_ w: inout JSONWriter, _ core: BrokerCore, _ ctx: StatusContext) {
        w.beginArray("streams")
        for s in core.streams.values.sorted(by: { $0.id < $1.id }) {
            w.beginObject()
            w.string("id", s.id.description)
            w.string("producer", s.id.producer.description)
            w.string("kind", s.kind.description)
            w.string("state", s.online ? "online" : "offline")
            w.string("producer_address", s.owner?.description)
            // The broker the stream's producer is on: this one, or the peer it is relayed from.
            w.string("broker", s.remote ? s.owner?.description : ctx.brokerAddress)
            w.string("origin", s.origin == 0 ? nil : ProducerID(rawValue: s.origin)!.description)
            if s.online, let t = ctx.unixMillis(s.onlineSince) { w.int64("online_since_ms", t) } else { w.null("online_since_ms") }
            if !s.online, let t = ctx.unixMillis(s.offlineSince) { w.int64("offline_since_ms", t) } else { w.null("offline_since_ms") }
            w.double("announced_fps", Double(s.rateMilli) / 1000)
            w.double("measured_fps", (s.measuredRate * 100).rounded() / 100)
            w.int("subscribers", s.subscribers.count)
            w.int("frames_in", s.framesIn)
            w.int("datagrams_in", s.datagramsIn)
            w.int("bytes_in", s.bytesIn)
            w.int("datagrams_forwarded", s.datagramsForwarded)
            w.int("lost", s.lossCounters.lost)
            w.int("recovered", s.lossCounters.recovered)
            w.bool("blocked", core.blocks.isBlocked(s.id.producer))
            w.endObject()
        }
        w.endArray()
        w.beginArray("producers")
        let producers = core.sessions.values.filter { $0.role == .producer }.sorted { ($0.producer?.rawValue ?? 0) < ($1.producer?.rawValue ?? 0) }
        for p in producers {
            w.beginObject()
            w.string("id", p.producer?.description)
            w.string("address", p.address.description)
            w.double("rtt_ms", Double(p.rttMicros) / 1000)
            w.int64("last_heard_ms_ago", (ctx.now - p.lastHeard) / 1000)
            w.endObject()
        }
        w.endArray()
        w.beginArray("blocked_producers")
        for id in core.blocks.blocked.sorted() { w.string(nil, id.description) }
        w.endArray()
    }

    static func writeSubscribers(_ w: inout JSONWriter, _ core: BrokerCore, _ ctx: StatusContext) {
        w.beginArray("subscribers")
        let clients = core.sessions.values.filter { $0.role == .client }.sorted { ($0.slot ?? 0) < ($1.slot ?? 0) }
        for c in clients {
            let q = c.slot.map(ctx.queue) ?? (backlog: 0, droppedFrames: 0)
            w.beginObject()
            w.string("address", c.address.description)
            w.beginArray("subscriptions")
            for s in c.selectors.sorted() { w.string(nil, s.description) }
            w.endArray()
            w.int("backlog", q.backlog)
            w.int("dropped_frames", q.droppedFrames)
            w.int("retransmissions", c.retransmits)
            w.double("rtt_ms", Double(c.rttMicros) / 1000)
            w.int64("last_heard_ms_ago", (ctx.now - c.lastHeard) / 1000)
            w.endObject()
        }
        w.endArray()
    }

    static func writeCluster(_ w: inout JSONWriter, _ core: BrokerCore, _ ctx: StatusContext) {
        w.beginObject("self")
        w.string("address", ctx.brokerAddress)
        w.string("http", ctx.httpAddress)
        w.string("epoch", String(core.epoch, radix: 16))
        w.int64("uptime_s", (ctx.now - ctx.started) / 1_000_000)
        w.int64("started_ms", ctx.unixMillis(ctx.started) ?? 0)
        w.int("producers", core.producerCount)
        w.int("subscribers", core.subscriberCount)
        w.endObject()
        w.string("origin", ProducerID(rawValue: core.originTag)!.description)
        let links = core.peerLinks.values.filter { !$0.isSelf }.sorted { $0.address.description < $1.address.description }
        // Every member: this broker, and each peer with the state of our link to it.
        w.beginArray("brokers")
        w.beginObject()
        w.string("address", ctx.brokerAddress)
        w.string("epoch", String(core.epoch, radix: 16))
        w.string("origin", ProducerID(rawValue: core.originTag)!.description)
        w.bool("self", true)
        w.string("state", "up")
        w.endObject()
        for l in links {
            w.beginObject()
            w.string("address", l.address.description)
            w.string("epoch", l.brokerID.map { String($0, radix: 16) })
            w.string("origin", l.originTag.map { ProducerID(rawValue: $0)!.description })
            w.bool("self", false)
            w.string("state", l.up ? "up" : "down")
            w.endObject()
        }
        w.endArray()
        w.beginArray("peer_links")
        for l in links { writeLink(&w, l, retransmissions: core.sessions[l.address]?.retransmits ?? 0, ctx) }
        w.endArray()
    }

    /// One peer link: the fields docs/API.md names.
    static func writeLink(_ w: inout JSONWriter, _ l: PeerLink, retransmissions: Int, _ ctx: StatusContext) {
        w.beginObject()
        w.string("peer", l.address.description)
        w.string("state", l.up ? "up" : (l.configured ? "connecting" : "down"))
        w.string("kind", l.kind.label)
        w.bool("configured", l.configured)
        w.double("rtt_ms", l.rtt.hasSample ? Double(l.rtt.smoothed) / 1000 : 0)
        w.int64("up_since_ms", l.up ? ctx.unixMillis(l.since) ?? 0 : 0)
        w.int("datagrams_out", l.counters.dataOut + l.counters.controlOut)
        w.int("data_out", l.counters.dataOut)
        w.int("bytes_out", l.counters.bytesOut)
        w.int("datagrams_in", l.counters.datagramsIn + l.counters.dataIn)
        w.int("data_in", l.counters.dataIn)
        w.int("bytes_in", l.counters.bytesIn)
        w.int("nacks", l.counters.nacksIn + l.counters.nacksOut)
        w.int("nacks_in", l.counters.nacksIn)
        w.int("nacks_out", l.counters.nacksOut)
        w.int("retransmissions", retransmissions)
        w.endObject()
    }

    static func writeHistory(_ w: inout JSONWriter, _ core: BrokerCore, _ ctx: StatusContext) {
        w.int("per_stream_limit", StreamHistory.perStream)
        w.beginArray("streams")
        for (id, entries) in core.history.byStream.sorted(by: { $0.key < $1.key }) {
            w.beginObject()
            w.string("id", id.description)
            w.beginArray("events")
            for e in entries {
                w.beginObject()
                w.int64("time_ms", ctx.unixMillis(e.time) ?? 0)
                w.string("state", e.online ? "online" : "offline")
                w.string("producer_address", e.from?.description)
                w.string("reason", e.reason)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
    }
}
