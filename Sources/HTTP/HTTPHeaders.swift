/// Header fields in the order received or added; names compare ASCII case-insensitively.
public struct HTTPHeaders: Sendable, Sequence, Equatable {
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    /// Headers from (name, value) pairs, order kept.
    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// Number of field lines (a repeated name counts each time).
    public var count: Int { fields.count }

    /// True when there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value for `name`, nil if absent.
    public subscript(_ name: String) -> String? {
        fields.first { Self.matches($0.name, name) }?.value
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.matches($0.name, name) }.map(\.value)
    }

    /// True when at least one field is named `name`.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.matches($0.name, name) }
    }

    /// Appends a field, keeping any earlier ones with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.matches($0.name, name) }
    }

    /// Iterates (name, value) pairs in order.
    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    /// Same fields in the same order, names and values compared exactly.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    private static func matches(_ a: String, _ b: String) -> Bool {
        HTTPSyntax.equalsIgnoringCase(a.utf8, b.utf8)
    }
}
