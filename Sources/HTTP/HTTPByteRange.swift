/// A request's `Range` against a representation of `size` bytes (RFC 9110 §14): one byte range is served as
/// 206; a range that starts past the end is 416; anything this server does not do (several ranges, other units)
/// is ignored and the whole representation served, as the RFC allows.
public enum HTTPByteRange: Equatable, Sendable {
    case full
    case partial(ClosedRange<Int64>)
    case unsatisfiable

    /// `header`: the Range field's value, nil when the request has none.
    public init(_ header: String?, size: Int64) {
        guard let header else {
            self = .full
            return
        }
        let text = header.trimmingSpaces
        guard text.hasPrefix("bytes="), size >= 0 else {
            self = .full
            return
        }
        let spec = text.dropFirst("bytes=".count).trimmingSpaces
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .full
            return
        }
        let first = spec[..<dash].trimmingSpaces
        let last = spec[spec.index(after: dash)...].trimmingSpaces
        self = Self.resolve(first: first, last: last, size: size) ?? .full
    }

    /// nil: not a valid byte-range-spec (ignored).
    private static func resolve(first: Substring, last: Substring, size: Int64) -> HTTPByteRange? {
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let n = digits(last), n > 0 else { return last.isEmpty ? nil : .unsatisfiable }
            return size == 0 ? .unsatisfiable : .partial(max(0, size - n)...(size - 1))
        }
        guard let start = digits(first) else { return nil }
        var end = size - 1
        if !last.isEmpty {
            guard let e = digits(last), e >= start else { return nil }
            end = min(e, size - 1)
        }
        return start >= size ? .unsatisfiable : .partial(start...end)
    }

    /// A non-negative decimal that fits (18 digits at most), or nil.
    private static func digits(_ s: Substring) -> Int64? {
        guard !s.isEmpty, s.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(s)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring { self[...].trimmingSpaces }
}
