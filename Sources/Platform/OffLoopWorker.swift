#if canImport(Glibc)
    import Glibc
#endif

/// Runs jobs on a thread of its own, so work too long for a turn of an event loop (rendering a large report from
/// a snapshot) happens beside the loop instead of in it. The loop submits a job, polls `wakeFD` with its other
/// descriptors, and takes what is done with `takeFinished()`. Bounded: at most `maxQueued` jobs
/// wait or run at once; `submit` refuses more, and the loop answers "busy" instead.
public final class OffLoopWorker<Output: Sendable>: @unchecked Sendable {
    public typealias Job = @Sendable () -> Output

    public let maxQueued: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `mutex`.
    private var queued: [Job] = []
    private var running = 0
    private var finished: [Output] = []
    private var stopping = false
    /// One byte per finished job; the read end is non-blocking, so the loop drains it without waiting.
    private let pipeRead: Int32
    private let pipeWrite: Int32
    private var thread: PosixThread?

    public init(maxQueued: Int) {
        precondition(maxQueued > 0)
        self.maxQueued = maxQueued
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed")
        pipeRead = fds[0]
        pipeWrite = fds[1]
        _ = fcntl(pipeRead, F_SETFL, fcntl(pipeRead, F_GETFL) | O_NONBLOCK)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        thread = PosixThread { [self] in work() }
    }

    /// Readable once a job has finished.
    public var wakeFD: Int32 { pipeRead }

    /// Queues `job`; false (nothing queued) when `maxQueued` jobs are waiting or running already.
    public func submit(_ job: @escaping Job) -> Bool {
        locked {
            guard !stopping, queued.count + running < maxQueued else { return false }
            queued.append(job)
            pthread_cond_signal(condition)
            return true
        }
    }

    /// Jobs waiting or running.
    public var pending: Int { locked { queued.count + running } }

    /// What finished since the last call, in the order it finished.
    public func takeFinished() -> [Output] {
        var sink = [UInt8](repeating: 0, count: 64)
        while sink.withUnsafeMutableBytes({ read(pipeRead, $0.baseAddress, $0.count) }) > 0 {}
        return locked {
            defer { finished.removeAll() }
            return finished
        }
    }

    /// Lets the jobs queued finish, then ends the thread.
    public func stop() {
        locked {
            stopping = true
            pthread_cond_signal(condition)
        }
        thread?.join()
        thread = nil
    }

    private func work() {
        while true {
            let next: Job? = locked {
                while queued.isEmpty && !stopping { pthread_cond_wait(condition, mutex) }
                guard !queued.isEmpty else { return nil }
                running += 1
                return queued.removeFirst()
            }
            guard let job = next else { return }
            let output = job()
            locked {
                running -= 1
                finished.append(output)
            }
            var one: UInt8 = 1
            _ = write(pipeWrite, &one, 1)
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
