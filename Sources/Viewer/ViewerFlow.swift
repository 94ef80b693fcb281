import ClientCore
import Wire

/// Flow control of one viewer tab, pure: a visible tab may have at most `window` video frames per stream sent
/// and not yet acknowledged by its page; beyond that, and for a hidden tab, frames are not sent. Frames refused
/// for lack of room are counted per stream (a hidden tab's are not: it asked for no video).
public struct ViewerFlow: Sendable {
    /// Video frames per stream a page may hold unacknowledged (being decoded or waiting to be painted).
    public let window: Int
    public private(set) var hidden = false
    private var unacked: [StreamID: Int] = [:]
    /// Video frames not sent because the page was behind, per stream.
    public private(set) var dropped: [StreamID: Int] = [:]

    public init(window: Int = 3) {
        precondition(window > 0, "a window of no frames sends nothing")
        self.window = window
    }

    /// Whether a video frame of `stream` may be sent now; if so it counts as unacknowledged until `acknowledge`.
    public mutating func admit(_ stream: StreamID) -> Bool {
        guard !hidden else { return false }
        guard unacked[stream, default: 0] < window else {
            dropped[stream, default: 0] += 1
            return false
        }
        unacked[stream, default: 0] += 1
        return true
    }

    /// A frame admitted but then refused by the socket's queue: dropped after all.
    public mutating func undo(_ stream: StreamID) {
        if let n = unacked[stream], n > 0 { unacked[stream] = n - 1 }
        dropped[stream, default: 0] += 1
    }

    /// The page is done with one frame of `stream` (painted, superseded or dropped there). An acknowledgement
    /// for nothing outstanding is ignored, so a confused page cannot open the window wider.
    public mutating func acknowledge(_ stream: StreamID) {
        if let n = unacked[stream], n > 0 { unacked[stream] = n - 1 }
    }

    /// Hidden pages paint nothing, so nothing they were sent is still owed an acknowledgement.
    public mutating func setHidden(_ h: Bool) {
        hidden = h
        if h { unacked.removeAll() }
    }

    public func outstanding(_ stream: StreamID) -> Int { unacked[stream, default: 0] }
}
