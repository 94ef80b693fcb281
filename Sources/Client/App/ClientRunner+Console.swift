import ClientCore
import Console
import Viewer
import Platform
import Wire

/// What the client writes on stdout, in the two modes: plain lines when stdout is not a terminal (pipes,
/// files, tests), and on a terminal a region at the bottom (the connection, one status line per stream, the
/// prompt with what is being typed) redrawn in place, with answers and notices printed above it.
extension ClientRunner {
    /// Prints one answer or notice (several lines allowed). Inside the class this shadows Platform's `say`.
    /// Every line is copied to the viewer page's open tabs too (the page and the prompt are two views).
    func say(_ text: String) {
        web?.broadcast(ViewerMessage.say(text))
        if terminal != nil {
            refreshRegionLines()
            writeAll(1, region.print(text, input: editor.text, columns: Terminal.columns(1)))
        } else {
            writeAll(1, text + "\n")
        }
    }

    /// The connection to the broker and the subscriptions, in one line (Enter alone, and the region's first line).
    func connectionLine() -> String {
        let rtt = core.link.rtt
        let state =
            core.link.isConnected
            ? "connected" + (rtt.hasSample ? ", rtt \(fmt(Double(rtt.smoothed) / 1000, 2)) ms" : "")
            : "not connected (trying)"
        let subs = core.subscriptions.isEmpty ? "none" : core.subscriptions.sorted().map(\.description).joined(separator: " ")
        return "broker \(broker): \(state); subscriptions: \(subs)"
    }

    /// The per-stream status lines: printed as plain lines, or made the region's lines and redrawn.
    func showStatusLines(_ lines: [String]) {
        guard terminal != nil else {
            for l in lines { say(l) }
            return
        }
        streamLines = lines
        redrawRegion()
    }

    func redrawRegion() {
        guard terminal != nil else { return }
        refreshRegionLines()
        writeAll(1, region.redraw(input: editor.text, columns: Terminal.columns(1)))
    }

    /// The region's lines: the connection first, then the streams' status lines while they are on.
    private func refreshRegionLines() { region.statusLines = [connectionLine()] + (showStatus ? streamLines : []) }

    /// Reads what was typed at the terminal and runs the lines completed. False when the user asked to quit.
    func readTerminal(now: Int64) -> Bool {
        guard let t = terminal else { return true }
        guard let bytes = t.readAvailable() else {
            endOfInput()
            return true
        }
        for e in editor.feed(bytes) {
            switch e {
            case .line(let line):
                // The line stays in the scrollback above the region, as a terminal's own echo would leave it.
                say(region.prompt + line)
                if !execute(line, now: now) { return false }
            case .endOfInput:
                endOfInput()
                return true
            }
        }
        redrawRegion()
        return true
    }

    /// No more commands: said on stdout, where the user looks, not only in the log.
    func endOfInput() {
        guard !inputEnded else { return }
        inputEnded = true
        if !config.headless {
            say("end of input: commands are no longer read; still receiving until Ctrl-C, SIGINT or SIGTERM")
        }
        log.info("stdin closed; still running until SIGINT/SIGTERM")
    }

    /// Takes the region off the screen and gives the terminal its settings back before the summary, so the
    /// last lines are plain.
    func closeRegion() {
        guard let t = terminal else { return }
        writeAll(1, region.erase())
        t.restore()
        terminal = nil
    }
}
