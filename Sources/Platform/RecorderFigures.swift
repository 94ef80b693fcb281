import Wire

/// What the recorder did for one stream, for `/api/readers` and the page.
public struct RecorderStreamFigures: Sendable, Equatable {
    /// Frames written into a file.
    public var framesRecorded = 0
    /// Frames dropped because the writer's queue was full (the disk slower than the streams).
    public var droppedQueueFull = 0
    /// Frames dropped while the disk was full or failing.
    public var droppedDiskError = 0
    /// Frames dropped as unrecordable: late beyond a segment's start, or of a medium whose first frame is unreadable.
    public var droppedUnrecordable = 0

    public var framesDropped: Int { droppedQueueFull + droppedDiskError + droppedUnrecordable }
    public init() {}
}

/// A snapshot of the recorder (taken under a lock; cheap enough for every page refresh).
public struct RecorderFigures: Sendable, Equatable {
    public var streams: [StreamID: RecorderStreamFigures] = [:]
    /// Bytes written into files (headers, frames, cues), all producers.
    public var bytesWritten: Int64 = 0
    /// The file each producer is being recorded into now (`<ID>/<file>`), if any.
    public var openFiles: [ProducerID: String] = [:]
    /// Producers whose recording is stopped by a write error (a full disk) until a retry succeeds.
    public var failing: Set<ProducerID> = []
    /// Files removed by retention (RECORD_KEEP_HOURS, RECORD_MAX_GB), and their bytes.
    public var filesRemoved = 0
    public var bytesRemoved: Int64 = 0
    public init() {}
}
