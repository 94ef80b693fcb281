import Wire

/// Carries out the broker core's fan-out: one bounded queue per subscriber, drained round-robin in as few
/// system calls as possible (a frame's chunks to one subscriber go as one GSO message, many subscribers' messages
/// go in one sendmmsg). Sends never block: what the socket cannot take stays queued, and a subscriber whose
/// queue overflows loses whole frames, alone.
final class Forwarder {
    struct Slot {
        var address: PeerAddress
        var queue: SubscriberQueue
    }
    private let socket: UDPSocket
    private let sender: BatchSender
    private let queueCapacity: Int
    // Touched for every copy sent; the forwarder is single-threaded and not re-entered, so the run-time
    // exclusivity checks are off for these (see BatchSender).
    @exclusivity(unchecked) private(set) var slots: [Slot?] = []
    /// Slots with something queued, in the order they became non-empty (flags avoid hashing on the hot path).
    @exclusivity(unchecked) private var active: [Int] = []
    @exclusivity(unchecked) private var isActive: [Bool] = []
    private var rotation = 0
    private(set) var controlDropped = 0
    /// Frames and datagrams dropped by queues that are gone (released subscribers), kept for the totals.
    private(set) var releasedDroppedFrames = 0
    private(set) var releasedDroppedDatagrams = 0
    var gsoEnabled: Bool { sender.gsoEnabled }
    var stats: BatchSender.Stats { sender.stats }

    init(socket: UDPSocket, queueCapacity: Int) {
        self.socket = socket
        sender = BatchSender(socket: socket)
        self.queueCapacity = queueCapacity
    }

    var hasBacklog: Bool { !active.isEmpty }

    func droppedFrames(slot: Int) -> Int { slot < slots.count ? slots[slot]?.queue.droppedFrames ?? 0 : 0 }

    func backlog(slot: Int) -> Int { slot < slots.count ? slots[slot]?.queue.count ?? 0 : 0 }

    func dispatch(_ outputs: [BrokerOutput]) {
        for o in outputs {
            switch o {
            case .send(let to, let bytes):
                if case .sent = socket.send(bytes, to: to) {} else { controlDropped += 1 }
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
    }

    private func enqueue(_ bytes: [UInt8], _ key: UInt64, _ s: Subscriber) {
        if s.slot >= slots.count {
            slots.append(contentsOf: repeatElement(nil, count: s.slot - slots.count + 1))
            isActive.append(contentsOf: repeatElement(false, count: slots.count - isActive.count))
        }
        if slots[s.slot] == nil || slots[s.slot]!.address != s.address {
            slots[s.slot] = Slot(address: s.address, queue: SubscriberQueue(capacity: queueCapacity))
        }
        slots[s.slot]!.queue.push(bytes, frameKey: key)
        if !isActive[s.slot] {
            isActive[s.slot] = true
            active.append(s.slot)
        }
    }

    /// Sends as much of every queue as the socket takes. Returns false if the socket would block (wait for POLLOUT).
    @discardableResult
    func flush() -> Bool {
        guard !active.isEmpty else { return true }
        let order = active
        let start = rotation % order.count
        rotation &+= 1
        // One entry per message added to the batch: whose queue, and how many datagrams from its front.
        var plan: [(slot: Int, count: Int)] = []
        var blocked = false
        func send() {
            let went = sender.flush()
            for (i, p) in plan.enumerated() where i < went { slots[p.slot]?.queue.removeFirst(p.count) }
            if went < plan.count { blocked = true }
            plan.removeAll(keepingCapacity: true)
        }
        var batch: [[UInt8]] = []
        outer: for k in 0..<order.count {
            let slot = order[(start + k) % order.count]
            var i = 0  // datagrams of this queue already in the batch
            while let s = slots[slot], i < s.queue.count {
                let q = s.queue
                // One message: equal-size datagrams, the last may be shorter.
                let n = sender.messageLength(start: i, count: q.count) { q[$0].bytes.count }
                let added: Bool
                if n == 1 {
                    added = sender.add(one: q[i].bytes, to: s.address)
                } else {
                    batch.removeAll(keepingCapacity: true)
                    for j in i..<i + n { batch.append(q[j].bytes) }
                    added = sender.add(batch[...], to: s.address)
                }
                if added {
                    plan.append((slot, n))
                    i += n
                } else {
                    send()
                    if blocked { break outer }
                    i = 0  // what was planned from this queue is gone from its front
                }
            }
        }
        if !blocked && !plan.isEmpty { send() }
        active.removeAll(keepingCapacity: true)
        for slot in order where isActive[slot] {
            if let q = slots[slot]?.queue, !q.isEmpty { active.append(slot) } else { isActive[slot] = false }
        }
        return !blocked
    }

    var droppedFrames: Int { slots.reduce(releasedDroppedFrames) { $0 + ($1?.queue.droppedFrames ?? 0) } }
    var droppedDatagrams: Int { slots.reduce(releasedDroppedDatagrams) { $0 + ($1?.queue.droppedDatagrams ?? 0) } }
}
