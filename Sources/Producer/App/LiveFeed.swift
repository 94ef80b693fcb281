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
/// Live media is not buffered: beyond `maxQueuedFrames` waiting frames the oldest is dropped, counted.
final class LiveFeed: Sendable {
    /// Frames waiting for the event loop at most (it takes them all on every wake, so this only fills if the loop
    /// is stuck).
    static let maxQueuedFrames = 8

    private struct State {
        var events: [LiveEvent] = []
        var frames = 0
        var dropped = 0
    }

    private let state = Mutex(State())
    let wake = WakePipe()

    func post(_ event: LiveEvent) {
        state.withLock { s in
            if case .frame = event {
                if s.frames >= Self.maxQueuedFrames, let oldest = s.events.firstIndex(where: { if case .frame = $0 { true } else { false } }) {
                    s.events.remove(at: oldest)
                    s.frames -= 1
                    s.dropped += 1
                }
                s.frames += 1
            }
            s.events.append(event)
        }
        wake.wake()
    }

    /// Everything posted since the last call, and how many frames were dropped for a full queue in all.
    func take() -> (events: [LiveEvent], dropped: Int) {
        wake.drain()
        return state.withLock { s in
            defer {
                s.events = []
                s.frames = 0
            }
            return (s.events, s.dropped)
        }
    }
}
