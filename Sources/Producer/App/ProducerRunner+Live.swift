import Platform
import ProducerCore
import Wire

/// Live sources in the producer's event loop: their frames are sent as they arrive (RATE caps video), and their
/// streams are announced while the source delivers and withdrawn (offline) when it stops.
extension ProducerRunner {
    /// Logged at most this often: frames dropped over RATE or for a stuck loop.
    static let liveDropLogInterval: Int64 = 10_000_000

    var liveWakeFDs: [Int32] { [liveVideo, liveAudio].compactMap { $0?.feed.wake.readFD } }

    func startLiveSources() {
        for source in [liveVideo, liveAudio].compactMap({ $0 }) {
            log.info("\(source.name): live source; its stream goes online when it delivers")
            _ = source.start()
        }
    }

    /// Takes what the live sources handed over and sends it; returns the number of video frames sent.
    func handleLive(now: Int64) -> Int {
        var sent = 0
        var feedDrops = 0
        for (source, index) in [(liveVideo, StreamKind.video.rawValue), (liveAudio, StreamKind.audio.rawValue)] {
            guard let source else { continue }
            let (events, dropped) = source.feed.take()
            feedDrops += dropped
            for event in events {
                switch event {
                case .online: announce(index, online: true, now: now)
                case .offline:
                    announce(index, online: false, now: now)
                    if index == StreamKind.video.rawValue { rateMeter.restart() }
                case .frame(let frame):
                    guard index == StreamKind.audio.rawValue || rateCap.admit(now: now) else { continue }
                    core.send(frame: frame.bytes, stream: index, captureTime: frame.captureTime, now: now)
                    send(core.drainTransmits())
                    if index == StreamKind.video.rawValue {
                        sent += 1
                        measured(now: now)
                    }
                }
            }
        }
        logLiveDrops(feed: feedDrops, now: now)
        return sent
    }

    /// Announces the live video's measured rate once it is known (RATE is only its cap).
    private func measured(now: Int64) {
        guard let rate = rateMeter.count(now: now) else { return }
        let milli = UInt32(min(rate, config.rate) * 1000)
        if core.rateMilli(StreamKind.video.rawValue) != milli {
            log.info("\(liveVideo?.name ?? "FRAMES"): measured \((rate * 10).rounded() / 10) fps; announcing it")
        }
        core.setRate(milli, stream: StreamKind.video.rawValue, now: now)
        send(core.drainTransmits())
    }

    private func announce(_ index: UInt8, online: Bool, now: Int64) {
        var streams = core.announced
        if online { streams.insert(index) } else { streams.remove(index) }
        core.announce(online: streams, now: now)
        send(core.drainTransmits())
    }

    private func logLiveDrops(feed: Int, now: Int64) {
        let current = (cap: rateCap.dropped, feed: feed)
        guard current != loggedLiveDrops, now - lastLiveDropLog >= Self.liveDropLogInterval else { return }
        lastLiveDropLog = now
        loggedLiveDrops = current
        log.info(
            "\(liveVideo?.name ?? "live source"): \(current.cap) frames over RATE \(config.rate) dropped so far, \(current.feed) dropped for a busy loop"
        )
    }
}
