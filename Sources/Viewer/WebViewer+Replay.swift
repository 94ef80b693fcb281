import Platform
import Recording
import WebSocket
import Wire

/// Replays of recordings in tabs (docs/VIEWER.md, "Replay"): the tab's `replay …` commands, and each turn the
/// blocks due, read from the files within one turn's budget.
extension WebViewer {
    func handleReplay(_ line: String, _ tab: ViewerTab, now: Int64) {
        guard let parsed = ReplayCommand.parse(line) else { return }
        switch parsed {
        case .failure(let e): tell(tab, e.reason)
        case .success(.open(let producer, let file)):
            guard let root = recordings.source?.root else { return tell(tab, "this client does not record") }
            guard let path = RecordingName.validatedPath(producer: producer, file: file), let id = ProducerID(hex: producer) else {
                return tell(tab, "replay open <ID>/<YYYYMMDDTHHMMSSZ>.mkv")
            }
            guard tab.replays.count < limits.maxReplaysPerTab else { return tell(tab, "at most \(limits.maxReplaysPerTab) replays per tab") }
            do {
                tab.lastReplayID += 1
                let r = try ReplaySession(id: tab.lastReplayID, root: root, path: path, producer: id, now: now)
                tab.replays[r.id] = r
                r.play(now: now)
                log.info("web: a tab replays \(path) (replay \(r.id))")
                sendState(r, tab, now: now)
            } catch { tell(tab, error.reason) }
        case .success(let c):
            let n = Self.replayID(c)
            guard let r = tab.replays[n] else { return tell(tab, "no replay \(n) in this tab") }
            switch c {
            case .seek(_, let ms): r.seek(ms, now: now)
            case .play: r.play(now: now)
            case .pause: r.pause(now: now)
            case .speed(_, let s): r.setSpeed(s, now: now)
            case .close:
                tab.replays[n] = nil
                broadcast("{\"type\":\"replay\",\"id\":\(n),\"state\":\"closed\"}", to: tab)
                return
            case .open: break
            }
            sendState(r, tab, now: now)
        }
    }

    private static func replayID(_ c: ReplayCommand) -> Int {
        switch c {
        case .seek(let n, _), .play(let n), .pause(let n), .speed(let n, _), .close(let n): n
        case .open: 0
        }
    }

    private func tell(_ tab: ViewerTab, _ text: String) {
        tab.connection.send(WebSocketFrame.text(ViewerMessage.say(text)), droppable: false)
    }

    private func sendState(_ r: ReplaySession, _ tab: ViewerTab, now: Int64) {
        tab.connection.send(WebSocketFrame.text(r.stateJSON(now: now)), droppable: false)
    }

    /// The blocks due in every tab's replays; a video frame is dropped whole (not the audio) when the tab is behind.
    /// Positions go out twice a second while playing.
    func serviceReplays(now: Int64) {
        var budget = limits.replayReadPerTurn
        for tab in tabs.values where !tab.replays.isEmpty {
            let tick = now >= tab.nextReplayState
            if tick { tab.nextReplayState = now + 500_000 }
            for r in tab.replays.values.sorted(by: { $0.id < $1.id }) {
                let (messages, changed) = r.service(now: now, budget: &budget)
                for m in messages { tab.connection.send(WebSocketFrame.encode(.binary, m.bytes), droppable: m.video) }
                if changed || (tick && r.clock.playing) { sendState(r, tab, now: now) }
            }
            if tab.connection.wantsWrite { tab.connection.flush() }
        }
    }

    var replayDeadline: Int64 {
        var d = Int64.max
        for tab in tabs.values {
            for r in tab.replays.values {
                if let due = r.nextDue { d = min(d, due) }
                if r.clock.playing { d = min(d, tab.nextReplayState) }
            }
        }
        return d
    }
}
