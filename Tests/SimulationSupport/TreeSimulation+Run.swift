import BrokerCore
import ClientCore
import ProducerCore
import Wire
import XCTest

extension TreeSimulation {
    /// Runs the tree to `end`: the next thing due is the earlier of the next datagram and the heap's first wake-up.
    public func run(until end: Int64) {
        var same = 0
        while true {
            discardStale()
            let next = min(network.nextDelivery ?? .max, heap.first?.time ?? .max)
            guard next <= end else { break }
            if next <= now {
                same += 1
                if same > 100_000 {
                    XCTFail("the tree simulation does not advance at \(now) µs")
                    return
                }
            } else {
                same = 0
                now = next
            }
            while let p = network.popDue(now: now) { deliver(p) }
            while let e = heap.first, e.time <= now {
                _ = heap.pop()
                guard e.time == wake(e.entity) else { continue }
                setWake(e.entity, .max)
                step(e.entity)
                reschedule(e.entity)
            }
        }
        now = max(now, end)
    }

    private func discardStale() {
        while let e = heap.first, e.time != wake(e.entity) { _ = heap.pop() }
    }

    // MARK: Entities and their wake-ups

    func wake(_ e: Int) -> Int64 {
        if e >= Self.clientBase { return clients[e - Self.clientBase].wake }
        if e >= Self.producerBase { return producers[e - Self.producerBase].wake }
        return brokers[e].wake
    }

    private func setWake(_ e: Int, _ t: Int64) {
        if e >= Self.clientBase {
            clients[e - Self.clientBase].wake = t
        } else if e >= Self.producerBase {
            producers[e - Self.producerBase].wake = t
        } else {
            brokers[e].wake = t
        }
    }

    /// When entity `e` wants to run next, from its own timers.
    private func due(_ e: Int) -> Int64 {
        if e >= Self.clientBase {
            let c = clients[e - Self.clientBase]
            return c.started ? min(c.session.pollTimeout(), c.retryAt) : c.startAt
        }
        if e >= Self.producerBase {
            let p = producers[e - Self.producerBase]
            return min(p.session.pollTimeout(), p.nextFrame < mediaUntil ? p.nextFrame : .max)
        }
        return brokers[e].alive ? brokers[e].core.pollTimeout() : .max
    }

    /// Called after anything that may move an entity's timers.
    func reschedule(_ e: Int) {
        let t = due(e)
        guard t != wake(e) else { return }
        setWake(e, t)
        if t < .max { heap.push(t, e) }
    }

    private func step(_ e: Int) {
        if e >= Self.clientBase { return stepClient(e - Self.clientBase) }
        if e >= Self.producerBase { return stepProducer(e - Self.producerBase) }
        guard brokers[e].alive, brokers[e].core.pollTimeout() <= now else { return }
        brokers[e].core.handleTimeout(now: now)
        route(e)
    }

    private func stepProducer(_ i: Int) {
        if producers[i].nextFrame <= now && producers[i].nextFrame < mediaUntil {
            sendFrame(i)
            producers[i].nextFrame += frameInterval
        }
        if producers[i].session.pollTimeout() <= now {
            producers[i].session.handleTimeout(now: now)
            flushProducer(i)
        }
    }

    private func stepClient(_ i: Int) {
        if !clients[i].started && clients[i].startAt <= now {
            clients[i].started = true
            clients[i].session.connect(now: now)
            flushClient(i)
        }
        if clients[i].retryAt <= now {
            clients[i].retryAt = .max
            subscribe(i)
        }
        if clients[i].started && clients[i].session.pollTimeout() <= now {
            clients[i].session.handleTimeout(now: now)
            flushClient(i)
        }
    }

    // MARK: Datagrams

    private func deliver(_ p: InMemoryNetwork.Packet) {
        guard let e = entities[p.to] else { return }
        if e >= Self.clientBase {
            let i = e - Self.clientBase
            // A failover session's socket is connected to its broker: datagrams from any other address are dropped.
            guard clients[i].started, p.from == clientBroker(i) else { return }
            clients[i].session.handle(p.bytes, from: p.from, now: now)
            flushClient(i)
        } else if e >= Self.producerBase {
            let i = e - Self.producerBase
            guard p.from == producerBroker(i) else { return }
            producers[i].session.handle(p.bytes, from: p.from, now: now)
            flushProducer(i)
        } else {
            guard brokers[e].alive else { return unreachable(p, broker: e) }
            brokers[e].core.handle(p.bytes, from: p.from, now: now)
            route(e)
        }
    }

    /// A datagram reached a killed broker: if its host answers, the sender's connected socket reports it at once.
    /// (A broker's peer socket is not connected: it hears nothing and finds out by missed PEER_HELLOs.)
    private func unreachable(_ p: InMemoryNetwork.Packet, broker b: Int) {
        guard brokers[b].answersUnreachable, let e = entities[p.from] else { return }
        if e >= Self.clientBase {
            let i = e - Self.clientBase
            guard clients[i].session.broker == p.to else { return }
            clients[i].session.unreachable(now: now)
            flushClient(i)
        } else if e >= Self.producerBase {
            let i = e - Self.producerBase
            guard producers[i].session.broker == p.to else { return }
            producers[i].session.unreachable(now: now)
            flushProducer(i)
        }
    }

    private func send(_ bytes: [UInt8], from b: Int, to: PeerAddress) {
        if let j = entities[to], j < Self.producerBase, DataHeader.isData(bytes), let h = try? DataHeader.parse(bytes[...]) {
            if h.flags & DataHeader.retransmitFlag != 0 {
                received[j][h.stream, default: Received()].resent += 1
            } else if h.flags & DataHeader.cachedFlag != 0 {
                received[j][h.stream, default: Received()].cached += 1
            } else {
                received[j][h.stream, default: Received()].originals += 1
                if !originalsSeen[j].insert(UInt64(h.stream.rawValue) << 32 | UInt64(h.sequence)).inserted { received[j][h.stream]!.twice += 1 }
            }
        }
        network.send(bytes, from: brokers[b].address, to: to, now: now)
    }

    func route(_ b: Int) {
        while let e = brokers[b].core.pollEvent() {
            switch e {
            case .upstreamChosen, .treeLoop, .treeTooDeep, .peerUp, .peerDown: treeEvents[b].append(e)
            default: otherEvents += 1
            }
        }
        while let o = brokers[b].core.pollTransmit() {
            switch o {
            case .send(let to, let bytes): send(bytes, from: b, to: to)
            case .forward(let bytes, _, let subs): for s in subs { send(bytes, from: b, to: s.address) }
            case .unicast(let bytes, _, let s): send(bytes, from: b, to: s.address)
            case .release: break
            }
        }
        reschedule(b)
    }

    private func sendFrame(_ i: Int) {
        let bytes = rng.bytes(rng.int(frameSizes))
        let id = StreamID(producer: producers[i].id, index: 1)
        sent[id, default: [:]][producers[i].number] = Simulation.SentFrame(bytes: bytes, time: now)
        producers[i].number &+= 1
        producers[i].session.send(frame: bytes, stream: 1, captureTime: UInt64(now), now: now)
        flushProducer(i)
    }

    func flushProducer(_ i: Int) {
        while let d = producers[i].session.pollTransmit() { network.send(d, from: producers[i].address, to: producerBroker(i), now: now) }
        while producers[i].session.pollEvent() != nil {}
        reschedule(Self.producerBase + i)
    }

    private func flushClient(_ i: Int) {
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: clientBroker(i), now: now) }
        while let e = clients[i].session.pollEvent() {
            switch e {
            case .moved(let from, let to):
                clients[i].moves.append((now, from, to))
            case .connected:
                if !clients[i].subscribeRequested { subscribe(i) }
            case .frame(let f):
                if sent[f.stream]?[f.number]?.bytes == f.bytes { clients[i].frames.append(f.number) } else { clients[i].corrupted += 1 }
            case .refused(.subscribe, _, _):
                clients[i].retryAt = now + 100_000  // the stream's announcement may not have reached this broker yet
            default:
                break
            }
        }
        while let d = clients[i].session.pollTransmit() { network.send(d, from: clients[i].address, to: clientBroker(i), now: now) }
        reschedule(Self.clientBase + i)
    }

    private func subscribe(_ i: Int) {
        clients[i].subscribeRequested = true
        clients[i].session.subscribe(clients[i].selector, now: now)
        flushClient(i)
    }
}
