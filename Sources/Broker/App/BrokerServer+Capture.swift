import Platform
import Wire

extension BrokerServer {
    /// How often buffered capture records are written while the broker runs (µs): a crash loses at most this much.
    static let captureFlushInterval: Int64 = 200_000

    /// Opens the capture file and taps the media sender, when `--capture` is given.
    func openCapture() throws(SystemError) {
        guard let path = config.capturePath, !path.isEmpty else { return }
        let file = try PcapFile(path: path, maxBytes: config.captureMaxBytes)
        capture = file
        let local = boundAddress
        // Media copies are recorded after the kernel took them, one record per datagram of a GSO message.
        sender.tap = { bytes, to in file.record(bytes, from: local, to: to, wallMicros: Clock.wallMicros()) }
        log.info("capturing traffic to \(path) (rotated to \(path).1 past \(config.captureMaxBytes >> 20) MiB)")
    }

    /// The arrival time of the datagram being handled: the kernel's stamp when there is one.
    func arrivalMicros() -> UInt64 {
        socket.arrivalWallNanos > 0 ? UInt64(socket.arrivalWallNanos / 1000) : Clock.wallMicros()
    }

    /// Writes buffered records now and then; a capture that failed (disk full) is stopped, once, with a message.
    func captureTurn(now: Int64) {
        guard let c = capture, now - captureFlushedAt >= Self.captureFlushInterval else { return }
        captureFlushedAt = now
        c.flush()
        if let e = c.failed {
            log.error("capture stopped: \(e) (\(c.records) datagrams recorded)")
            sender.tap = nil
            capture = nil
        }
    }
}
