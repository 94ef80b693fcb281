import ClientCore
import Platform
import WebSocket
import Wire

/// One browser tab of the viewer: its WebSocket and its flow control (`ViewerFlow`: a hidden tab gets no video,
/// a tab behind its window has whole frames dropped here and counted, so its queue stays small whatever its speed).
public final class ViewerTab {
    let connection: WebSocketConnection
    /// Names the tab's claims on subscriptions (descriptors are reused).
    let serial: Int
    let peer: PeerAddress?
    let opened: Int64
    private(set) var flow = ViewerFlow()
    private var nextPing: Int64

    init(_ connection: WebSocketConnection, serial: Int, peer: PeerAddress?, now: Int64) {
        self.connection = connection
        self.serial = serial
        self.peer = peer
        opened = now
        nextPing = now
    }

    /// The last time the tab sent anything (a pong counts): a tab that never reads never answers a ping.
    var lastHeard: Int64 { max(opened, connection.lastHeard) }

    /// Pings the tab every `interval`.
    func ping(now: Int64, every interval: Int64) {
        guard now >= nextPing else { return }
        nextPing = now + interval
        connection.send(WebSocketFrame.encode(.ping, []), droppable: true)
    }

    /// Frames not sent to this tab because it was behind, per stream.
    var dropped: [StreamID: Int] { flow.dropped }

    /// Sends one media message; video only as the flow allows, audio always (it is small, and a gap is audible).
    func send(_ message: [UInt8], stream: StreamID) {
        guard stream.kind == .video else {
            connection.send(message, droppable: false)
            return
        }
        guard flow.admit(stream) else { return }
        if !connection.send(message, droppable: true) { flow.undo(stream) }
    }

    func acknowledge(_ stream: StreamID) { flow.acknowledge(stream) }

    func setHidden(_ h: Bool) { flow.setHidden(h) }
}
