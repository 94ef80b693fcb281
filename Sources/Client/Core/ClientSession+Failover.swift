import Wire

/// Failover, for a client given several brokers: it leaves a broker that is unreachable (ICMP port unreachable
/// through the driver's connected socket), silent while streams should flow (confirmed by quick heartbeats), or
/// shutting down, for the next broker of its list, and takes its subscriptions along. Frames keep their numbers
/// across brokers, so the receivers carry on and repeated frames are not delivered twice.
extension ClientSession {
    /// The broker to send to now (nil: none given; the driver knows its one broker).
    public var broker: PeerAddress? { failover.broker }

    /// The brokers this client may use (nil: the driver's one), with the moves made.
    public var brokers: BrokerList? { failover.brokers }

    /// ICMP port unreachable reports for the broker (the driver's connected socket), and the moves they caused.
    public var refusals: Int { failover.refusals }

    /// This process's stalls: not the broker's silence.
    public var stallWatch: StallWatch { failover.stallWatch }

    /// The driver's socket reported the broker unreachable (ECONNREFUSED: ICMP port unreachable, as a closed port
    /// on a live host answers): with another broker to go to, move at once.
    public mutating func unreachable(now: Int64) {
        transmits.push(contentsOf: moved(failover.unreachable(&link, now: now)))
    }

    /// The client's side of a move: its silence detector starts over and the owner hears where it went; the
    /// subscriptions follow once the new broker welcomes it.
    mutating func moved(_ move: BrokerFailover.Move?) -> [[UInt8]] {
        guard let move else { return [] }
        silenceArmed = false
        events.push(.moved(from: move.from, to: move.to))
        return move.send
    }

    /// Notes a DATA datagram for the silence detector: the gap between frame starts, smoothed (1/8), sets how
    /// much silence is suspicious.
    mutating func noteData(_ h: DataHeader, now: Int64) {
        guard failover.isEnabled else { return }
        lastDataAt = now
        silenceArmed = true
        silenceProbes = 0
        guard h.sequence == h.frameStart, h.flags & (DataHeader.retransmitFlag | DataHeader.cachedFlag) == 0 else { return }
        if lastFrameStartAt > 0 {
            let gap = min(now - lastFrameStartAt, 1_000_000)
            frameGap = frameGap == 0 ? gap : (7 * frameGap + gap) / 8
        }
        lastFrameStartAt = now
    }

    /// How long a silence may last before the broker is suspected (`.max`: nothing to suspect now).
    var silenceDeadline: Int64 {
        guard failover.isEnabled, silenceArmed, frameGap > 0, case .connected = link.state else { return .max }
        return lastDataAt + max(timers.minSilence, timers.silenceFrames * frameGap) + link.loadAllowance
    }

    /// When to send the next probe into a silence (`.max`: none): after `probePercent` of a frame gap, then every
    /// gap, until the silence is suspected. Only a dead host answers it (ICMP), so it may come early.
    var probeDeadline: Int64 {
        guard failover.isEnabled, silenceArmed, frameGap > 0, case .connected = link.state else { return .max }
        let first = max(timers.minProbeSilence, frameGap * timers.probePercent / 100)
        return lastDataAt + first + Int64(silenceProbes) * frameGap
    }

    var failoverDeadline: Int64 {
        guard failover.isEnabled else { return .max }
        return link.isConnected ? min(probeDeadline, silenceDeadline) : failover.helloDeadline(link)
    }

    /// The first thing of every call from the driver: if this process was stalled past its own deadline, that time
    /// is not the broker's silence. Its data would have queued on the socket, and the driver reads the socket before
    /// it lets the core judge a silence, so what the broker sent in that time is heard first.
    mutating func forgiveStall(now: Int64) {
        let due = pollTimeout()
        let stall = failover.forgiveStall(&link, now: now, due: due)
        if stall > 0 && silenceArmed { lastDataAt = min(now, lastDataAt + stall) }
    }

    /// Suspects a silent broker, probes a silence for a dead host, or leaves a new broker that does not answer.
    mutating func failoverDue(now: Int64) -> [[UInt8]] {
        guard failover.isEnabled else { return [] }
        if link.isConnected {
            if now >= silenceDeadline {
                silenceArmed = false
                return link.suspect(now: now)
            }
            guard now >= probeDeadline else { return [] }
            silenceProbes += 1
            return link.probe(now: now).map { [$0] } ?? []
        }
        return moved(failover.helloDue(&link, now: now))
    }

    /// Whether a datagram's sequence number is a jump no outage explains: the producer restarted (its first sequence
    /// number is random), so its frame numbers start over too. The detector starts over by itself.
    func restartedSender(_ d: LossDetector, _ h: DataHeader) -> Bool {
        guard d.started else { return false }
        let jump = Serial.distance(from: d.highest, to: h.sequence)
        return jump > limits.maxTrackedGaps || jump < -4 * limits.maxTrackedGaps
    }

    /// Whether `h` ends an outage of its stream longer than `Timers.outageSkip`, by capture time: the stream was
    /// cut off (a peer link down and healed, its producer away), and repairing the gap would deliver frames too old
    /// to show while holding the live ones back. A producer's move or a broker's failover costs far less. Whole
    /// frames must be missing too: consecutive frames of a slow stream (0.5 fps) are no outage.
    func outageOver(_ r: Receiver, _ h: DataHeader) -> Bool {
        let framesAhead = h.frameNumber &- r.newestFrame
        return r.newestCapture != 0 && h.captureTime > r.newestCapture &+ UInt64(timers.outageSkip) && framesAhead >= 2 && framesAhead < 1 << 31
    }

    /// Hands a complete frame to the output unless it was delivered already (failover only: one broker's
    /// assembler never hands on a frame twice).
    mutating func emit(_ f: CompleteFrame) {
        guard !failover.isEnabled || recent.admit(f) else {
            duplicateFrames += 1
            return
        }
        events.push(.frame(f))
    }
}
