import ClientCore
import Platform
import Wire

/// One browser tab of the viewer: its WebSocket and its flow control (`ViewerFlow`: a hidden tab gets no video,
/// a tab behind its window has whole frames dropped here and counted, so its queue stays small whatever its speed).
final class ViewerTab {
    let connection: WebSocketConnection
    let opened: Int64
    private(set) var flow = ViewerFlow()

    init(_ connection: WebSocketConnection, now: Int64) {
        self.connection = connection
        opened = now
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
