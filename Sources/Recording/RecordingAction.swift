import Matroska
import Wire

/// What a producer's recording asks the file layer to do, in order.
public enum RecordingAction: Sendable, Equatable {
    /// Create a new file for a segment whose first frame was captured at `startMicros`, and write `header`.
    case open(startMicros: UInt64, header: [UInt8])
    case write(FileWrite)
    /// A frame of this stream is in the file once every action before this one was carried out (for counting).
    case recorded(StreamKind)
    /// Flush the file to the disk (fsync): a cluster is complete.
    case sync
    /// The segment is finished: sync and close the file.
    case close
}
