import CWire

#if canImport(Glibc)
    import Glibc
#endif

/// The only place that reads clocks. Monotonic time drives every protocol timer; wall time stamps capture time.
public enum Clock {
    /// Monotonic microseconds.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
    /// Microseconds since the Unix epoch.
    public static func wallMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
    /// Nanoseconds since the Unix epoch (the clock of the kernel's receive timestamps).
    public static func wallNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
    /// CPU time the calling thread has used, ns: what a piece of work cost, whether or not the host preempted it.
    public static func threadCPUNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Sleeps (only on helper threads, such as the peer resolver's; never in an event loop).
    public static func sleepMicros(_ micros: Int64) {
        var ts = timespec(tv_sec: Int(micros / 1_000_000), tv_nsec: Int(micros % 1_000_000) * 1000)
        _ = nanosleep(&ts, nil)
    }
    /// A random 64-bit value from the kernel.
    public static func randomSeed() -> UInt64 {
        var v: UInt64 = 0
        let n = withUnsafeMutableBytes(of: &v) { cwire_getrandom($0.baseAddress, 8) }
        if n != 8 { v = UInt64(bitPattern: now()) ^ wallMicros() &* 0x9E37_79B9_7F4A_7C15 }
        return v
    }
}
