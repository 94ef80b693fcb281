import Recording
import Synchronization
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Where and how the recorder writes (RECORD_DIR, RECORD_SEGMENT_S, RECORD_KEEP_HOURS, RECORD_MAX_GB).
public struct RecorderSettings: Sendable {
    public var root: String
    public var segmentMicros: UInt64 = 600_000_000
    /// Files whose start is older than this are removed; nil keeps them.
    public var keepMicros: UInt64?
    /// The oldest files are removed while all recordings together are larger; nil: no limit.
    public var maxBytes: Int64?
    public var limits = RecordingLimits()
    /// After a write error (a full disk) a producer's frames are dropped this long before a new file is tried.
    public var retryMicros: Int64 = 1_000_000
    /// Written data is synced (fsync) at each cluster's end and at the latest this long after it was written.
    public var syncMicros: Int64 = 1_000_000
    /// How often retention runs.
    public var retentionMicros: Int64 = 30_000_000

    public init(root: String) { self.root = root }
}

/// The recorder's writer: the receive path hands whole frames to `submit`, which only appends to a bounded queue
/// (dropping and counting the frame when the queue is full) and never touches the disk; a thread of its own turns
/// them into Matroska files (`RecordingLoop`).
public final class RecordingWriter: Sendable {
    struct Queue {
        var frames: [CompleteFrame] = []
        var bytes = 0
        var stopping = false
        var droppedFull: [StreamID: Int] = [:]
    }
    private let queue = Mutex(Queue())
    let published = Mutex(RecorderFigures())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    public let settings: RecorderSettings
    let log: Logger

    public init(settings: RecorderSettings, log: Logger) throws(SystemError) {
        self.settings = settings
        self.log = log
        try Files.makeDirectories(settings.root)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// Queues a frame for recording; false (and counted) when the queue is full. Cheap: no I/O but a one-byte
    /// wake-up write when the queue was empty.
    @discardableResult
    public func submit(_ f: CompleteFrame) -> Bool {
        let limits = settings.limits
        let (accepted, wasEmpty) = queue.withLock { q -> (Bool, Bool) in
            guard !q.stopping, q.frames.count < limits.queueFrames, q.bytes + f.bytes.count <= limits.queueBytes else {
                q.droppedFull[f.stream, default: 0] += 1
                return (false, false)
            }
            q.frames.append(f)
            q.bytes += f.bytes.count
            return (true, q.frames.count == 1)
        }
        if wasEmpty {
            var b: UInt8 = 1
            _ = write(wakeWrite, &b, 1)
        }
        return accepted
    }

    /// The figures as of the writer's latest turn, with the queue's drops up to now.
    public func figures() -> RecorderFigures {
        var f = published.withLock { $0 }
        for (id, n) in queue.withLock({ $0.droppedFull }) { f.streams[id, default: RecorderStreamFigures()].droppedQueueFull = n }
        return f
    }

    /// Starts the writer thread.
    public func start() -> PosixThread {
        PosixThread { [self] in
            let loop = RecordingLoop(settings: settings, log: log)
            loop.removeExpired(now: Clock.now())
            while true {
                var p = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, 200)
                var sink = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &sink, sink.count) > 0 {}
                let (frames, stopping) = queue.withLock { q in
                    defer {
                        q.frames = []
                        q.bytes = 0
                    }
                    return (q.frames, q.stopping)
                }
                loop.record(frames, now: Clock.now())
                loop.tick(now: Clock.now())
                if stopping { loop.closeAll() }
                let snapshot = loop.figures
                published.withLock { $0 = snapshot }
                if stopping { return }
            }
        }
    }

    /// Asks the thread to write what is queued, finish every file and end; join the thread afterwards.
    public func stop() {
        queue.withLock { $0.stopping = true }
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }
}
