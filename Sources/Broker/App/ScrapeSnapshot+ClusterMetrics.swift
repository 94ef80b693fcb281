import BrokerCore
import Platform
import Wire

extension ScrapeSnapshot {
    /// The cluster's part of /metrics: each peer link's state, RTT and traffic, and each stream's origin broker.
    func clusterMetricsText(_ streams: [BrokerStream]) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples { out += "\(name){\(labels)} \(v == v.rounded() ? String(Int64(v)) : String(v))\n" }
        }
        let links = core.peerLinks.values.filter { !$0.isSelf }.sorted { $0.address.description < $1.address.description }
        func label(_ l: PeerLink) -> String {
            "peer=\"\(l.address)\",origin=\"\(l.originTag.map { ProducerID(rawValue: $0)!.description } ?? "")\""
        }
        metric("broker_info", "gauge", "This broker: its id and origin tag.", [("id=\"\(String(core.epoch, radix: 16))\",origin=\"\(ProducerID(rawValue: core.originTag)!)\"", 1)])
        metric("broker_peer_up", "gauge", "1 while the link to a peer broker is up.", links.map { (label($0), $0.up ? 1 : 0) })
        metric("broker_peer_kind", "gauge", "1 per link, labelled with what the peer is to this broker: mesh, upstream (this broker is an edge) or edge (below this broker).",
            links.map { (label($0) + ",kind=\"\($0.kind.label)\"", 1) })
        metric("broker_edges", "gauge", "Edges linked below this broker now.", [("", Double(links.count { $0.kind == .edge && $0.up }))])
        metric("broker_peer_rtt_seconds", "gauge", "Smoothed round-trip time of each peer link (PEER_HELLO echoes).",
            links.map { (label($0), $0.rtt.hasSample ? Double($0.rtt.smoothed) / 1e6 : 0) })
        let c = links.map { ($0, $0.counters) }
        metric("broker_peer_datagrams_in_total", "counter", "Datagrams received from each peer (control and DATA).",
            c.map { (label($0.0), Double($0.1.datagramsIn + $0.1.dataIn)) })
        metric("broker_peer_data_in_total", "counter", "DATA datagrams received from each peer.", c.map { (label($0.0), Double($0.1.dataIn)) })
        metric("broker_peer_data_bytes_in_total", "counter", "DATA bytes received from each peer.", c.map { (label($0.0), Double($0.1.bytesIn)) })
        metric("broker_peer_data_out_total", "counter", "DATA datagrams sent to each peer (once per stream it wants).",
            c.map { (label($0.0), Double($0.1.dataOut)) })
        metric("broker_peer_data_bytes_out_total", "counter", "DATA bytes sent to each peer.", c.map { (label($0.0), Double($0.1.bytesOut)) })
        metric("broker_peer_control_out_total", "counter", "PEER_HELLO, PEER_ANNOUNCE and PEER_INTEREST sent to each peer.",
            c.map { (label($0.0), Double($0.1.controlOut)) })
        metric("broker_peer_nacks_in_total", "counter", "NACKs received from each peer.", c.map { (label($0.0), Double($0.1.nacksIn)) })
        metric("broker_peer_nacks_out_total", "counter", "NACKs sent to each peer.", c.map { (label($0.0), Double($0.1.nacksOut)) })
        let sessions = core.sessions
        metric("broker_peer_retransmissions_total", "counter", "Datagrams resent to each peer after its NACKs.",
            links.map { (label($0), Double(sessions[$0.address]?.retransmits ?? 0)) })
        metric("broker_stream_origin", "gauge", "1 per stream, labelled with the origin broker its producer is on (local: this broker).",
            streams.map { s in
                let where_ = s.remote ? (s.owner?.description ?? "") : "local"
                return ("stream=\"\(s.id)\",origin=\"\(s.online ? ProducerID(rawValue: s.origin)!.description : "")\",broker=\"\(where_)\"", s.online ? 1 : 0)
            })
        return out
    }
}
