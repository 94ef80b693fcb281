import Matroska

/// What a producer's recording asks the file layer to do, in order.
public enum RecordingAction: Sendable, Equatable {
    /// Create a new file for a segment whose first frame was captured at `startMicros`, and write `header`.
    case open(startMicros: UInt64, header: [UInt8])
    case write(FileWrite)
    /// Flush the file to the disk (fsync): a cluster is complete.
    case sync
    /// The segment is finished: sync and close the file.
    case close
}
