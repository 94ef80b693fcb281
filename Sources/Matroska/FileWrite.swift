/// One write the segment writer asks for: bytes appended at the end of the file, or bytes written over earlier
/// ones (a size or the duration learnt later). Patches never change the file's length.
public enum FileWrite: Sendable, Equatable {
    case append([UInt8])
    case patch(offset: Int, bytes: [UInt8])
}
