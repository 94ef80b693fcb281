import Wire

/// Plans the broker core's fan-out: one bounded queue per subscriber, drained round-robin into batches that
/// cost as few system calls as possible (a frame's chunks to one subscriber go as one message, many subscribers'
/// messages in one batch). Never blocks: what the batch cannot send stays queued, and a subscriber whose queue
/// overflows loses whole frames, alone. Pure: the batch is a `DatagramBatch`, a socket in the broker and a
/// recorder in tests.
public final class FanoutPlanner {
    /// One subscriber's queue. A class, so the hot loops reach it through a reference instead of copying a
    /// struct (and retaining its queue storage) out of the slot table for every datagram.
    final class Slot {
        let address: PeerAddress
        @exclusivity(unchecked) var queue: SubscriberQueue
        init(address: PeerAddress, queue: SubscriberQueue) {
            self.address = address
            self.queue = queue
        }
    }
    private let sender: any DatagramBatch
    private let queueCapacity: Int
    // Touched for every copy sent; the forwarder is single-threaded and not re-entered, so the run-time
    // exclusivity checks are off for these (see BatchSender).
    @exclusivity(unchecked) private(set) var slots: [Slot?] = []
    /// Slots with something queued, in the order they became non-empty (flags avoid hashing on the hot path).
    @exclusivity(unchecked) private var active: [Int] = []
    @exclusivity(unchecked) private var isActive: [Bool] = []
    /// One entry per message in the pending batch: whose queue, and how many datagrams from its front.
    @exclusivity(unchecked) private var plan: [(slot: Slot, count: Int)] = []
    private var rotation = 0
    /// Frames and datagrams dropped by queues that are gone (released subscribers), kept for the totals.
    private(set) var releasedDroppedFrames = 0
    private(set) var releasedDroppedDatagrams = 0
    public init(sender: any DatagramBatch, queueCapacity: Int) {
        self.sender = sender
        self.queueCapacity = queueCapacity
        plan.reserveCapacity(sender.maxMessages)
    }

    /// Whether some queue holds datagrams not yet sent.
    public var hasBacklog: Bool { !active.isEmpty }

    public func droppedFrames(slot: Int) -> Int { slot < slots.count ? slots[slot]?.queue.droppedFrames ?? 0 : 0 }

    public func backlog(slot: Int) -> Int { slot < slots.count ? slots[slot]?.queue.count ?? 0 : 0 }

    /// `backlog` and `droppedFrames` of every slot at once, for a snapshot taken without walking the sessions.
    public func queueFigures() -> (backlog: [Int], droppedFrames: [Int]) {
        (slots.map { $0?.queue.count ?? 0 }, slots.map { $0?.queue.droppedFrames ?? 0 })
    }

    /// Queues one of the core's media outputs (or forgets a released slot). Control datagrams (`.send`) are not
    /// queued: the driver sends them at once.
    public func dispatch(_ o: BrokerOutput) {
        switch o {
        case .send:
            preconditionFailure("control datagrams are sent by the driver, not queued")
        case .forward(let bytes, let key, let subs):
            for s in subs { enqueue(bytes, key, s) }
        case .unicast(let bytes, let key, let s):
            enqueue(bytes, key, s)
        case .release(let slot):
            if slot < slots.count, let s = slots[slot] {
                releasedDroppedFrames += s.queue.droppedFrames
                releasedDroppedDatagrams += s.queue.droppedDatagrams
                slots[slot] = nil  // a stale entry in `active` is skipped by flush
            }
        }
    }

    private func enqueue(_ bytes: [UInt8], _ key: UInt64, _ s: Subscriber) {
        if s.slot >= slots.count {
            slots.append(contentsOf: repeatElement(nil, count: s.slot - slots.count + 1))
            isActive.append(contentsOf: repeatElement(false, count: slots.count - isActive.count))
        }
        let slot: Slot
        if let existing = slots[s.slot], existing.address == s.address {
            slot = existing
        } else {
            if let old = slots[s.slot] {
                // The slot changed hands: keep the old queue's drops in the totals.
                releasedDroppedFrames += old.queue.droppedFrames
                releasedDroppedDatagrams += old.queue.droppedDatagrams
            }
            slot = Slot(address: s.address, queue: SubscriberQueue(capacity: queueCapacity))
            slots[s.slot] = slot
        }
        slot.queue.push(bytes, frameKey: key)
        if !isActive[s.slot] {
            isActive[s.slot] = true
            active.append(s.slot)
        }
    }

    /// Sends what is planned; returns false if the socket would not take all of it.
    private func send() -> Bool {
        let went = sender.flush()
        for i in 0..<min(went, plan.count) { plan[i].slot.queue.removeFirst(plan[i].count) }
        let all = went >= plan.count
        plan.removeAll(keepingCapacity: true)
        return all
    }

    /// Sends as much of every queue as the socket takes. Returns false if the socket would block (wait for POLLOUT).
    @discardableResult
    public func flush() -> Bool {
        guard !active.isEmpty else { return true }
        let order = active
        let start = rotation % order.count
        rotation &+= 1
        var blocked = false
        outer: for k in 0..<order.count {
            guard let slot = slots[order[(start + k) % order.count]] else { continue }
            var i = 0  // datagrams of this queue already in the batch
            while i < slot.queue.count {
                // One message: equal-size datagrams, the last may be shorter.
                let from = i
                let n = sender.messageLength(start: from, count: slot.queue.count) { slot.queue[$0].bytes.count }
                if sender.add(segments: n, to: slot.address, { slot.queue[from + $0].bytes }) {
                    plan.append((slot, n))
                    i += n
                } else {
                    if !send() {
                        blocked = true
                        break outer
                    }
                    i = 0  // what was planned from this queue is gone from its front
                }
            }
        }
        if !blocked && !plan.isEmpty { blocked = !send() }
        active.removeAll(keepingCapacity: true)
        for s in order where isActive[s] {
            if let slot = slots[s], !slot.queue.isEmpty { active.append(s) } else { isActive[s] = false }
        }
        return !blocked
    }

    public var droppedFrames: Int { slots.reduce(releasedDroppedFrames) { $0 + ($1?.queue.droppedFrames ?? 0) } }
    public var droppedDatagrams: Int { slots.reduce(releasedDroppedDatagrams) { $0 + ($1?.queue.droppedDatagrams ?? 0) } }
}
