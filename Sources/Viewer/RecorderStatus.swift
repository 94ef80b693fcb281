import Platform
import Recording
import Wire

/// The JSON of the recorder's figures (`/api/recorder`, and the page's recorder panel as `{"type":"recorder",…}`).
public enum RecorderStatus {
    public static func json(_ f: RecorderFigures, root: String, served: (files: Int, ranges: Int, bytes: Int64), type: Bool = false) -> String {
        let q = ViewerMessage.quote
        let open = f.openFiles.sorted { $0.key < $1.key }.map { "\(q($0.key.description)):\(q($0.value))" }.joined(separator: ",")
        let failing = f.failing.sorted().map { q($0.description) }.joined(separator: ",")
        let streams = f.streams.sorted { $0.key < $1.key }.map { id, s in
            "\(q(id.description)):{\"recorded\":\(s.framesRecorded),\"dropped\":\(s.framesDropped),\"droppedQueueFull\":\(s.droppedQueueFull),"
                + "\"droppedDiskError\":\(s.droppedDiskError),\"droppedUnrecordable\":\(s.droppedUnrecordable)}"
        }.joined(separator: ",")
        return "{" + (type ? "\"type\":\"recorder\"," : "") + "\"recording\":true,\"root\":\(q(root)),\"bytesWritten\":\(f.bytesWritten),"
            + "\"openFiles\":{\(open)},\"failing\":[\(failing)],\"filesRemoved\":\(f.filesRemoved),\"bytesRemoved\":\(f.bytesRemoved),"
            + "\"streams\":{\(streams)},\"served\":{\"files\":\(served.files),\"ranges\":\(served.ranges),\"bytes\":\(served.bytes)}}"
    }
}
