import Console
import Wire

/// What one session's viewer of one stream saw since the last report: the longest wait between two frames handed
/// to the output, and the frame numbers that never came. The last frame's time and number carry over a report, so
/// a gap that spans the report is counted in the report where it ends.
struct StreamGapFigures {
    /// Monotonic time of the last frame handed on, and its number (kept across reports).
    var lastFrameAt: Int64?
    var lastNumber: UInt32?
    /// Longest interval between two frames handed on (µs).
    var longestGap: Int64 = 0
    var frames = 0
    /// Frame numbers skipped (holes: frames never complete, dropped whole, or never sent on after a move).
    var lost = 0
    /// Frames handed on with a number not above the last one (a repeat the core let through, or out of order).
    var repeated = 0

    /// A jump this large is a producer that started over (its numbers restart), not lost frames.
    static let restartJump: Int32 = 100_000

    mutating func record(number: UInt32, now: Int64) {
        frames += 1
        if let t = lastFrameAt { longestGap = max(longestGap, now - t) }
        lastFrameAt = now
        guard let last = lastNumber else {
            lastNumber = number
            return
        }
        let step = Int32(bitPattern: number &- last)
        if step > 0 {
            if step < Self.restartJump { lost += Int(step) - 1 }
            lastNumber = number
        } else if step > -Self.restartJump {
            repeated += 1
        } else {
            lastNumber = number
        }
    }

    /// Starts a new report period (the last frame's time and number stay).
    mutating func reset() {
        longestGap = 0
        frames = 0
        lost = 0
        repeated = 0
    }

    func json(_ id: StreamID) -> String {
        "\"\(id)\":{\"frames\":\(frames),\"gap_ms\":\(ms(longestGap)),\"lost\":\(lost),\"repeated\":\(repeated)}"
    }
}

/// Microseconds as milliseconds with one decimal, for the JSON reports.
func ms(_ micros: Int64) -> String { fmt(Double(micros) / 1000, 1) }
