/// Lease deadlines in a hashed timer wheel: a ring of buckets, one per `tick` of time, each holding the keys
/// whose deadline falls in it. Scheduling appends to one bucket and taking the due keys walks the buckets the
/// clock has passed, so each costs O(1) per key whatever the number of leases (no heap, no scan of every session).
///
/// The wheel is lazy, like the kernel's and Kafka's: a renewal (a heartbeat) does not move its key. When a
/// bucket comes due its keys are handed back and the owner looks at the real deadline: a renewed lease is
/// scheduled again (once per lease duration per session, not per heartbeat), an expired one ends. A key handed
/// back may also belong to a session that has ended since (the owner drops it).
public struct LeaseWheel<Key: Hashable & Sendable>: Sendable {
    public let tick: Int64
    private var buckets: [[Key]]
    /// The tick number of the oldest bucket not yet fully taken.
    private var cursor: Int64
    /// Keys in the wheel (including those of sessions ended since they were scheduled).
    public private(set) var count = 0
    /// Elementary steps done so far (a key scheduled, a key taken, a bucket passed), for the tests that prove the
    /// work per lease does not grow with the number of leases.
    public private(set) var operations = 0

    /// A wheel for deadlines at most `span` ahead of the present, in buckets of `tick` µs. A deadline further
    /// ahead is put in the last bucket and comes back early (the owner schedules it again).
    public init(tick: Int64, span: Int64, now: Int64 = 0) {
        precondition(tick > 0 && span >= 0)
        self.tick = tick
        buckets = Array(repeating: [], count: Int(span / tick) + 2)
        cursor = max(0, now) / tick
    }

    /// Schedules `key` to be handed back once `deadline` has passed (`now`: the present, so an empty wheel that
    /// has not been looked at for a while does not put the key in a bucket that comes due too early).
    public mutating func schedule(_ key: Key, at deadline: Int64, now: Int64) {
        if count == 0 { cursor = max(cursor, max(0, now) / tick) }
        let n = Int64(buckets.count)
        let t = min(max(deadline / tick, cursor), cursor + n - 1)
        buckets[Int(t % n)].append(key)
        count += 1
        operations += 1
    }

    /// When the oldest bucket comes due (`Int64.max` when the wheel is empty). Its keys may all have ended; a
    /// wake-up then only moves the cursor (one step per tick at most).
    public var next: Int64 { count == 0 ? .max : (cursor + 1) * tick - 1 }

    /// Takes at most `limit` keys whose buckets are due at `now`, oldest bucket first; the rest stay for the
    /// next call (then `next <= now`).
    public mutating func popDue(now: Int64, limit: Int) -> [Key] {
        let due = (max(0, now) + 1) / tick  // buckets before this one hold only deadlines <= now
        guard count > 0 else {
            cursor = max(cursor, due)
            return []
        }
        let n = Int64(buckets.count)
        // After a long quiet spell every bucket is due: pass the ring once instead of tick by tick.
        if due - cursor > n { cursor = due - n }
        var out: [Key] = []
        while cursor < due && out.count < limit {
            let i = Int(cursor % n)
            let take = min(limit - out.count, buckets[i].count)
            if take == buckets[i].count {
                out += buckets[i]
                buckets[i].removeAll(keepingCapacity: true)
                cursor += 1
                operations += 1
            } else {
                out += buckets[i].suffix(take)
                buckets[i].removeLast(take)
            }
        }
        count -= out.count
        operations += out.count
        return out
    }
}
