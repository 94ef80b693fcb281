import Platform
import ProducerCore
import Synchronization

/// What a live source's reader thread hands to its producer's event loop.
enum LiveEvent: Sendable {
    /// A whole frame (a JPEG, or a chunk of MP3 frames) and its capture time (its arrival, wall µs).
    case frame(LiveFramer.Frame)
    /// The source delivers: its stream goes (back) online.
    case online
    /// The source ended, stalled or failed: its stream goes offline.
    case offline
}

/// The hand-over between one reader thread and the event loop: a short queue and a pipe that wakes the loop.
/// The loop takes everything on every wake, so the queue holds only what one read of the source completed (a
/// source that had written ahead); beyond `maxQueuedFrames` or `maxQueuedBytes` the oldest frame is dropped,
/// counted, so a stuck loop cannot make it grow.
final class LiveFeed: Sendable {
    /// Frames waiting for the event loop at most.
    static let maxQueuedFrames = 64
    /// Bytes of those frames at most.
    static let maxQueuedBytes = 4 << 20

    private struct State {
        var events: [LiveEvent] = []
        var frames = 0
        var bytes = 0
        var dropped = 0
    }

    private let state = Mutex(State())
    let wake = WakePipe()

    func post(_ event: LiveEvent) {
        state.withLock { s in
            if case .frame(let frame) = event {
                s.frames += 1
                s.bytes += frame.bytes.count
            }
            s.events.append(event)
            while s.frames > Self.maxQueuedFrames || s.bytes > Self.maxQueuedBytes, let oldest = s.events.firstIndex(where: Self.isFrame) {
                if case .frame(let frame) = s.events.remove(at: oldest) { s.bytes -= frame.bytes.count }
                s.frames -= 1
                s.dropped += 1
            }
        }
        wake.wake()
    }

    private static func isFrame(_ event: LiveEvent) -> Bool {
        if case .frame = event { return true }
        return false
    }

    /// Everything posted since the last call, and how many frames were dropped for a full queue in all.
    func take() -> (events: [LiveEvent], dropped: Int) {
        wake.drain()
        return state.withLock { s in
            defer {
                s.events = []
                s.frames = 0
                s.bytes = 0
            }
            return (s.events, s.dropped)
        }
    }
}
