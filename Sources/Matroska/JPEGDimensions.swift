/// A JPEG's pixel size, read from its start-of-frame marker (ITU T.81 §B.2.2), for the track's PixelWidth/Height.
public struct JPEGDimensions: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Walks the marker segments from SOI to the first SOFn; nil when the bytes are not such a JPEG. Reads only
    /// within `bytes`, never past a segment length that runs off the end.
    public init?(jpeg bytes: [UInt8]) {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF {  // fill byte
                i += 1
                continue
            }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            // SOF0...SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                guard length >= 7, i + 9 <= bytes.count else { return nil }
                height = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
                width = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8])
                guard width > 0, height > 0 else { return nil }
                return
            }
            if marker == 0xD9 || marker == 0xDA { return nil }  // end of image or scan data before any SOF
            guard length >= 2 else { return nil }
            i += 2 + length
        }
        return nil
    }
}
