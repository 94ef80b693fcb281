import BrokerCore
import Platform
import Wire

extension ScrapeSnapshot {
    /// /metrics in Prometheus text format (docs/METRICS.md), rendered off the event loop.
    func prometheusText() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples {
                let value = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
                out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(value)\n"
            }
        }
        let c = core.counters
        let fs = senderStats
        metric("broker_subscribers", "gauge", "Clients with a session.", [("", Double(core.subscriberCount))])
        metric("broker_producers", "gauge", "Producers with a session.", [("", Double(core.producerCount))])
        metric(
            "broker_streams", "gauge", "Streams tracked, by state.",
            [
                ("state=\"online\"", Double(core.streams.values.filter(\.online).count)),
                ("state=\"offline\"", Double(core.streams.values.filter { !$0.online }.count)),
            ])
        metric("broker_datagrams_in_total", "counter", "Datagrams received.", [("", Double(c.datagramsIn))])
        metric("broker_bytes_in_total", "counter", "Bytes received.", [("", Double(c.bytesIn))])
        metric("broker_datagrams_out_total", "counter", "Media datagrams sent to subscribers.", [("", Double(fs.datagrams))])
        metric("broker_bytes_out_total", "counter", "Media bytes sent to subscribers.", [("", Double(fs.bytes))])
        metric("broker_send_syscalls_total", "counter", "sendmmsg calls for media.", [("", Double(fs.syscalls))])
        metric("broker_retransmissions_total", "counter", "Datagrams resent to clients after a NACK.", [("", Double(c.retransmitsOut))])
        metric("broker_nacks_received_total", "counter", "NACKs received from clients.", [("", Double(c.nacksIn))])
        metric("broker_nacks_sent_total", "counter", "NACKs sent to producers.", [("", Double(c.nacksOut))])
        metric("broker_leases_expired_total", "counter", "Sessions ended because the peer went silent.", [("", Double(c.leasesExpired))])
        var drops: [(String, Double)] = c.refusalDrops.map { ("reason=\"\($0.label)\"", Double($0.count)) }
        drops.append(("reason=\"duplicate\"", Double(c.duplicatesIn)))
        drops.append(("reason=\"forged_mac\"", Double(c.dataForged)))
        drops.append(("reason=\"stale\"", Double(core.streams.values.reduce(0) { $0 + $1.lossCounters.stale })))
        drops.append(("reason=\"retransmit_throttled\"", Double(c.retransmitsThrottled)))
        drops.append(("reason=\"retransmit_unavailable\"", Double(c.retransmitsUnavailable)))
        drops.append(("reason=\"retransmit_over_budget\"", Double(c.retransmitsOverBudget)))
        drops.append(("reason=\"nack_over_turn_budget\"", Double(c.nacksOverTurnBudget)))
        drops.append(("reason=\"subscriber_queue_full\"", Double(droppedDatagrams)))
        drops.append(("reason=\"source_limited_handshake\"", Double(core.sourceLimits.handshakes.dropped)))
        drops.append(("reason=\"source_limited_request\"", Double(core.sourceLimits.requests.dropped)))
        drops.append(("reason=\"control_send_failed\"", Double(controlDropped)))
        metric("broker_drops_total", "counter", "Datagrams dropped, by reason.", drops)
        let streams = core.streams.values.sorted { $0.id < $1.id }
        metric(
            "broker_stream_frame_rate", "gauge", "Frames per second completed per stream (last second).",
            streams.map { ("stream=\"\($0.id)\"", $0.measuredRate) })
        metric(
            "broker_stream_frames_in_total", "counter", "Complete frames received per stream.",
            streams.map { ("stream=\"\($0.id)\"", Double($0.framesIn)) })
        metric(
            "broker_stream_datagrams_in_total", "counter", "Datagrams received per stream.",
            streams.map { ("stream=\"\($0.id)\"", Double($0.datagramsIn)) })
        metric(
            "broker_stream_lost_total", "counter", "Datagrams from the producer given up as lost, per stream.",
            streams.map { ("stream=\"\($0.id)\"", Double($0.lossCounters.lost)) })
        metric(
            "broker_stream_recovered_total", "counter", "Datagrams from the producer recovered by NACK, per stream.",
            streams.map { ("stream=\"\($0.id)\"", Double($0.lossCounters.recovered)) })
        metric("broker_stream_subscribers", "gauge", "Subscribers per stream.", streams.map { ("stream=\"\($0.id)\"", Double($0.subscribers.count)) })
        let clients = core.sessions.values.filter { $0.role == .client && $0.slot != nil }.sorted { $0.slot! < $1.slot! }
        metric(
            "broker_subscriber_backlog", "gauge", "Datagrams waiting in each subscriber's queue.",
            clients.map { ("subscriber=\"\($0.address)\"", Double(backlog(slot: $0.slot!))) })
        metric(
            "broker_subscriber_dropped_frames_total", "counter", "Frames a subscriber lost because its queue was full.",
            clients.map { ("subscriber=\"\($0.address)\"", Double(droppedFrames(slot: $0.slot!))) })
        metric(
            "broker_subscriber_retransmissions_total", "counter", "Datagrams resent to each subscriber.",
            clients.map { ("subscriber=\"\($0.address)\"", Double($0.retransmits)) })
        metric(
            "broker_subscriber_reported_received_total", "counter",
            "Datagrams each subscriber reports it received (HEARTBEAT receiver reports, since its first report).",
            clients.map { ("subscriber=\"\($0.address)\"", Double($0.receiver.received)) })
        metric(
            "broker_subscriber_reported_lost_total", "counter", "Datagrams each subscriber reports it gave up as lost.",
            clients.map { ("subscriber=\"\($0.address)\"", Double($0.receiver.lost)) })
        let unread = clients.filter(\.receiver.unread)
        metric(
            "broker_subscriber_unread", "gauge", "1 for each subscriber whose reports show nothing received for 4 heartbeats while its streams flow.",
            unread.map { ("subscriber=\"\($0.address)\"", 1) })
        metric(
            "broker_subscribers_unread", "gauge", "Subscribers whose reports show nothing received while their streams flow.",
            [("", Double(unread.count))])
        metric(
            "broker_subscribers_reporting", "gauge", "Subscribers that send receiver reports in their heartbeats.",
            [("", Double(clients.filter { $0.receiver.reports > 0 }.count))])
        out += clusterMetricsText(streams)
        out += histogram(
            "broker_forward_delay_seconds", "DATA datagrams: kernel receive timestamp to the end of the send that forwarded them.", forwardDelay)
        out += histogram(
            "broker_timer_turn_seconds", "How long each run of the broker's timers (NACKs, lease expiry, rates) held the event loop.", timerTurns)
        out += histogram(
            "broker_http_turn_seconds", "How long each turn's HTTP work (accepting, parsing, snapshots, writing answers) held the event loop.",
            http.turns)
        metric(
            "broker_http_turn_longest_seconds", "gauge", "The longest turn of HTTP work on the event loop since the broker started.",
            [("", Double(http.longestTurnNanos) / 1e9)])
        metric(
            "broker_http_turn_longest_cpu_seconds", "gauge",
            "The same turn's CPU time on the loop thread: the work itself, without the time a busy host preempted the loop.",
            [("", Double(http.longestTurnCPUNanos) / 1e9)])
        metric(
            "broker_http_renders_off_loop_total", "counter", "/metrics and /api/... bodies rendered off the event loop.",
            [("", Double(http.rendered))])
        metric(
            "broker_http_render_longest_seconds", "gauge", "The longest render of a /metrics or /api/... body (off the event loop).",
            [("", Double(http.longestRenderNanos) / 1e9)])
        metric(
            "broker_http_render_longest_cpu_seconds", "gauge", "The CPU time of the render that used the most.",
            [("", Double(http.longestRenderCPUNanos) / 1e9)])
        metric(
            "broker_http_scrapes_refused_total", "counter", "/metrics and /api/... requests refused before any work, by reason.",
            [
                ("reason=\"rate\"", Double(http.refusedRate)), ("reason=\"busy\"", Double(http.refusedBusy)),
                ("reason=\"token\"", Double(http.refusedToken)),
            ])
        let h = http.counters
        metric("broker_http_connections", "gauge", "Open connections on the HTTP port.", [("", Double(http.connections))])
        metric(
            "broker_http_requests_total", "counter", "HTTP requests answered, by outcome.",
            [
                ("outcome=\"ok\"", Double(h.requests)), ("outcome=\"bad_request\"", Double(h.badRequests)),
                ("outcome=\"timed_out\"", Double(h.timedOut)), ("outcome=\"refused_full\"", Double(h.refusedFull)),
            ])
        let t = passwordChecks
        metric(
            "broker_status_password_checks_total", "counter",
            "Status page passwords: compared, or refused unread (per source, or the shared budget).",
            [
                ("outcome=\"checked\"", Double(t.checked)), ("outcome=\"refused_source\"", Double(t.refusedSource)),
                ("outcome=\"refused_global\"", Double(t.refusedGlobal)),
            ])
        metric("broker_gro_enabled", "gauge", "1 when the broker receives with UDP GRO.", [("", groEnabled ? 1 : 0)])
        metric("broker_gso_enabled", "gauge", "1 when UDP GSO is in use.", [("", gsoEnabled ? 1 : 0)])
        return out
    }

    private func histogram(_ name: String, _ help: String, _ h: DelayHistogram) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (i, c) in h.cumulative.enumerated() {
            let le = i < DelayHistogram.boundsMicros.count ? String(Double(DelayHistogram.boundsMicros[i]) / 1_000_000) : "+Inf"
            out += "\(name)_bucket{le=\"\(le)\"} \(c)\n"
        }
        return out + "\(name)_sum \(Double(h.sumNanos) / 1e9)\n\(name)_count \(h.count)\n"
    }
}
