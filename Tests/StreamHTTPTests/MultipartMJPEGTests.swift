import StreamHTTP
import XCTest

final class MultipartMJPEGTests: XCTestCase {
    func testAPartIsHeaderJPEGAndTheNextBoundaryByteForByte() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0x01, 0x02, 0xFF, 0xD9]
        let header = MultipartMJPEG.partHeader(length: jpeg.count)
        let bytes = MultipartMJPEG.opening + MultipartMJPEG.part(header: header, jpeg: jpeg).flatMap { Array($0) }
        let expected = Array("--vbframe\r\nContent-Type: image/jpeg\r\nContent-Length: 6\r\n\r\n".utf8) + jpeg + Array("\r\n--vbframe\r\n".utf8)
        XCTAssertEqual(bytes, expected)
        XCTAssertEqual(MultipartMJPEG.contentType, "multipart/x-mixed-replace; boundary=vbframe")
    }

    func testTheJPEGIsNotCopied() {
        let jpeg = [UInt8](repeating: 7, count: 100_000)
        let pieces = MultipartMJPEG.part(header: MultipartMJPEG.partHeader(length: jpeg.count), jpeg: jpeg)
        let same = jpeg.withUnsafeBufferPointer { a in pieces[1].withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        XCTAssertTrue(same, "the part's body is a slice of the frame's own storage")
    }

    /// Parses a body the way ffmpeg's mpjpeg demuxer does: boundary line, headers, Content-Length bytes.
    func testAStreamOfPartsParsesBackIntoTheSameFrames() {
        let frames: [[UInt8]] = [[1, 2, 3], Array(repeating: 0x2D, count: 40), [0xFF, 0xD9]]
        var body = MultipartMJPEG.opening
        for f in frames { body += MultipartMJPEG.part(header: MultipartMJPEG.partHeader(length: f.count), jpeg: f).flatMap { Array($0) } }
        var got: [[UInt8]] = []
        var text = body[...]
        while let boundaryEnd = find(Array("--vbframe\r\n".utf8), in: text) {
            text = text[boundaryEnd...]
            guard let headEnd = find(Array("\r\n\r\n".utf8), in: text) else { break }
            let head = String(decoding: text[..<headEnd], as: UTF8.self)
            let length = Int(head.split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }!.dropFirst(16))!
            got.append(Array(text[headEnd..<headEnd + length]))
            text = text[(headEnd + length + 2)...]
        }
        XCTAssertEqual(got, frames)
    }

    private func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in hay.startIndex...(hay.endIndex - needle.count) where hay[i..<i + needle.count].elementsEqual(needle) {
            return i + needle.count
        }
        return nil
    }
}
