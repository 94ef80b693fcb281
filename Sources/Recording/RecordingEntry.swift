import Wire

/// One recording file, as listed for `/recordings.json` and for retention.
public struct RecordingEntry: Sendable, Equatable {
    public var producer: ProducerID
    /// The file name inside the producer's folder (checked by `RecordingName`).
    public var file: String
    /// Capture time of its first frame, microseconds since the Unix epoch (from the name: whole seconds).
    public var startMicros: UInt64
    public var bytes: Int64
    /// Written when the file was finished; nil for a file being written or cut short by a crash.
    public var durationMillis: Double?

    public init(producer: ProducerID, file: String, startMicros: UInt64, bytes: Int64, durationMillis: Double? = nil) {
        self.producer = producer
        self.file = file
        self.startMicros = startMicros
        self.bytes = bytes
        self.durationMillis = durationMillis
    }

    /// `<ID>/<file>`, relative to the recordings folder.
    public var path: String { "\(producer)/\(file)" }
}
