import Synchronization
import Wire

/// Resolves a list of `host:port` entries again and again on a thread of its own (getaddrinfo may block for
/// seconds: a name whose container is gone takes about 10 s to fail in Docker), so brokers that start later or come
/// back on a new address are found without blocking the media loop, at start or at exit. The loop reads
/// `latest()` when `wake` says an answer came; the generation tells it whether the addresses changed.
public final class PeerResolver: Sendable {
    private struct State {
        var addresses: [PeerAddress] = []
        var generation = 0
        var failures: [String: String] = [:]
        var stopped = false
    }
    private let state = Mutex(State())
    private let entries: [String]
    private let interval: Int64

    /// Checks the syntax of every entry (`host:port`, a port in range) without resolving anything.
    public static func validate(_ entries: [String]) -> String? {
        for e in entries {
            guard let colon = e.lastIndex(of: ":"), colon != e.startIndex, UInt16(e[e.index(after: colon)...]) != nil else {
                return "'\(e)' is not host:port"
            }
        }
        return nil
    }

    /// Readable after each resolution: the event loop waits on `wake.readFD` with its sockets.
    public let wake = WakePipe()

    public init(entries: [String], intervalMicros: Int64) {
        self.entries = entries
        interval = intervalMicros
    }

    /// Resolves at once on its thread, then every interval. The thread is never joined: a process leaving while a
    /// lookup hangs exits without waiting for it.
    public func start() {
        _ = PosixThread { [self] in
            while !state.withLock({ $0.stopped }) {
                resolveOnce()
                wake.wake()
                var slept: Int64 = 0
                while slept < interval {
                    if state.withLock({ $0.stopped }) { return }
                    Clock.sleepMicros(min(100_000, interval - slept))
                    slept += 100_000
                }
            }
        }
    }

    public func stop() { state.withLock { $0.stopped = true } }

    /// The addresses of the last resolution, its generation, and the entries that failed (with why).
    public func latest() -> (addresses: [PeerAddress], generation: Int, failures: [String: String]) {
        state.withLock { ($0.addresses, $0.generation, $0.failures) }
    }

    private func resolveOnce() {
        var all: [PeerAddress] = []
        var failures: [String: String] = [:]
        for e in entries {
            do throws(AddressError) {
                for a in try PeerAddress.resolveAll(e) where !all.contains(a) { all.append(a) }
            } catch {
                failures[e] = error.description
            }
        }
        state.withLock {
            if $0.addresses != all {
                $0.addresses = all
                $0.generation += 1
            }
            $0.failures = failures
        }
    }
}
