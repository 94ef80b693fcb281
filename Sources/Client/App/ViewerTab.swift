import Platform
import Wire

/// One browser tab of the viewer: its WebSocket, whether the page is hidden (a hidden tab gets no video), and
/// per video stream the frames sent but not yet acknowledged by the page. A tab that falls behind has whole
/// frames dropped for it here, counted per stream, so its queue stays at `window` frames whatever its speed.
final class ViewerTab {
    /// Video frames per stream the page may have unacknowledged (sent, not yet decoded or dropped by the page).
    static let window = 3

    let connection: WebSocketConnection
    let opened: Int64
    var hidden = false
    private(set) var unacked: [StreamID: Int] = [:]
    /// Frames not sent to this tab because it was behind, per stream.
    private(set) var dropped: [StreamID: Int] = [:]

    init(_ connection: WebSocketConnection, now: Int64) {
        self.connection = connection
        opened = now
    }

    /// Sends one media message; video goes only to a visible tab with room in its window.
    func send(_ message: [UInt8], stream: StreamID) {
        guard stream.kind == .video else {
            connection.send(message, droppable: false)
            return
        }
        guard !hidden else { return }
        guard unacked[stream, default: 0] < Self.window, connection.send(message, droppable: true) else {
            dropped[stream, default: 0] += 1
            return
        }
        unacked[stream, default: 0] += 1
    }

    /// The page finished with one frame of `stream` (painted, superseded or dropped there).
    func acknowledge(_ stream: StreamID) {
        if let n = unacked[stream], n > 0 { unacked[stream] = n - 1 }
    }

    /// Hidden pages paint nothing, so nothing they were sent is still owed an acknowledgement.
    func setHidden(_ h: Bool) {
        hidden = h
        if h { unacked.removeAll() }
    }
}
