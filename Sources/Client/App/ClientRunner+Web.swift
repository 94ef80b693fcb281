import ClientCore
import Platform
import Wire

/// The viewer page as a second view of the same client: what a tab asks runs through the prompt's command path
/// and is echoed at the prompt; what the prompt does (and every line it prints) reaches every tab.
extension ClientRunner {
    func announceWeb(_ w: WebViewer) {
        let a = w.server.address
        let host = a.description.hasPrefix("[") ? String(a.description.prefix { $0 != "]" }) + "]" : String(a.description.prefix { $0 != ":" })
        let page = "http://\(host):\(w.server.boundPort)/"
        log.info("web viewer on \(page)")
        if !config.headless { say("client: viewer page on \(page) (open \(page)?watch=<id> to watch a stream)") }
    }

    /// Serves the page and the tabs, runs their commands, and once a second sends figures and asks for the list.
    func serviceWeb(ready: Set<Int32>) {
        guard let w = web else { return }
        let now = Clock.now()
        let (opened, commands) = w.service(ready: ready, now: now)
        for tab in opened {
            w.broadcast(currentWebState(), to: tab)
        }
        for line in commands {
            if line == "list" {
                core.list(now: now)
                flushTransmits()
                continue
            }
            Platform.say("web page: \(line)")
            _ = execute(line, now: now)
        }
        if !commands.isEmpty { prompt() }
        if now >= nextWebTick {
            nextWebTick = now + 1_000_000
            guard !w.tabs.isEmpty else { return }
            let stats = core.stats
            w.sendFigures(stats.keys.sorted().filter { core.isSubscribed($0) }.map { ($0, stats[$0]!) })
            core.list(now: now)
            flushTransmits()
        }
    }

    func currentWebState() -> String {
        ViewerMessage.state(broker: config.broker.description, connected: core.link.isConnected, subscriptions: Array(core.subscriptions))
    }

    /// Tabs learn of every change of subscriptions or link, whoever made it.
    func sendWebStateIfChanged() {
        let state = currentWebState()
        guard state != lastWebState, let w = web else { return }
        lastWebState = state
        w.broadcast(state)
    }
}
