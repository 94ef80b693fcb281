import ClientCore
import Console
import Viewer
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

    /// Serves the page, the tabs and the players, runs the tabs' commands, and once a second sends figures and
    /// asks for the list (which the players' URLs and the playlist need too).
    func serviceWeb(ready: Set<Int32>) {
        guard let w = web else { return }
        let now = Clock.now()
        let turn = w.service(ready: ready, now: now)
        for tab in turn.opened {
            w.broadcast(currentWebState(), to: tab)
        }
        for r in turn.readersOpened { claim(r.stream, by: .reader(r.serial), now: now) }
        for serial in turn.readersEnded { releaseAll(by: .reader(serial), now: now) }
        for serial in turn.closedTabs { releaseAll(by: .tab(serial), now: now) }
        for (tab, line) in turn.commands {
            if line == "list" {
                core.list(now: now)
                flushTransmits()
                continue
            }
            Platform.say("web page: \(line)")
            runTabCommand(line, tab: tab, now: now)
        }
        if !turn.commands.isEmpty { prompt() }
        serviceClaims(now: now)
        if now >= nextWebTick {
            nextWebTick = now + 1_000_000
            core.list(now: now)
            flushTransmits()
            guard !w.tabs.isEmpty else { return }
            let stats = core.stats
            w.sendFigures(stats.keys.sorted().filter { core.isSubscribed($0) }.map { ($0, stats[$0]!) })
        }
    }

    /// A tab's subscribe is its own claim. Its ✕ is the user's word, as at the prompt: it gives up the prompt's and
    /// every tab's claim on the selector; players reading the stream keep it (and say so).
    private func runTabCommand(_ line: String, tab: Int, now: Int64) {
        switch ClientCommand.parse(line) {
        case .success(.subscribe(let s)): claim(s, by: .tab(tab), now: now)
        case .success(.unsubscribe(let s)):
            let mine = claims.claimants(of: s).filter { $0 == .prompt || { if case .tab = $0 { true } else { false } }($0) }
            guard !mine.isEmpty else {
                let others = claims.claimants(of: s)
                if others.isEmpty {
                    core.unsubscribe(s, now: now)
                    flushTransmits()
                } else {
                    say("\(s) stays: \(Self.describe(others)) read it")
                }
                break
            }
            for who in mine { release(s, by: who, now: now, immediately: true) }
            let players = claims.claimants(of: s)
            if !players.isEmpty { say("\(s) stays while \(Self.describe(players)) read it") }
        default: _ = execute(line, now: now)
        }
        _ = handleEvents()
    }

    func currentWebState() -> String {
        ViewerMessage.state(broker: broker.description, connected: core.link.isConnected, subscriptions: Array(core.subscriptions))
    }

    /// Tabs learn of every change of subscriptions or link, whoever made it.
    func sendWebStateIfChanged() {
        let state = currentWebState()
        guard state != lastWebState, let w = web else { return }
        lastWebState = state
        w.broadcast(state)
    }
}
