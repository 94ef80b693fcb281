/// One sample datagram and what tshark must show for it (the checker, scripts/dissector_check.py, compares).
struct Sample: Encodable {
    /// Where it goes: the main port (registered for the dissector) or the heuristic port (only the heuristic may claim it).
    enum Port: String, Encodable { case main, heur }

    var name: String
    var port: Port = .main
    var bytes: [UInt8]
    /// The Info column, exactly (nil: not checked).
    var info: String? = nil
    /// Field abbreviation to the values tshark shows (`show` in PDML), in order.
    var fields: [String: [String]] = [:]
    /// Field abbreviation and a text one of its `showname`s contains.
    var shownames: [[String]] = []
    /// The Malformed expert infos it must carry (and no others).
    var experts: [String] = []
    /// Whether the dissector must claim it (false: not our protocol).
    var ours = true
    /// The type name `vbwire.type` must show.
    var type: String? = nil
    /// Expert infos of severity Note (a GSO batch).
    var notes: [String] = []
    /// Texts one of the expert messages contains.
    var texts: [String] = []

    enum CodingKeys: String, CodingKey { case name, port = "where", hex, info, fields, shownames, experts, ours, type, notes, texts }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(port, forKey: .port)
        try c.encode(SampleEncoder.hex(bytes), forKey: .hex)
        try c.encodeIfPresent(info, forKey: .info)
        try c.encode(fields, forKey: .fields)
        try c.encode(shownames, forKey: .shownames)
        try c.encode(experts, forKey: .experts)
        try c.encode(ours, forKey: .ours)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encode(notes, forKey: .notes)
        try c.encode(texts, forKey: .texts)
    }
}

/// Field expectations written as in the Python original: one value or several.
typealias Fields = [String: Any]

extension Sample {
    /// A sample with fields given as single strings or string lists.
    init(
        _ name: String, _ bytes: [UInt8], _ info: String? = nil, _ fields: Fields = [:], shownames: [(String, String)] = [], experts: [String] = [],
        port: Port = .main, ours: Bool = true, type: String? = nil, notes: [String] = [], texts: [String] = []
    ) {
        self.name = name
        self.bytes = bytes
        self.info = info
        for (k, v) in fields { self.fields[k] = (v as? [String]) ?? [(v as? String) ?? "\(v)"] }
        self.shownames = shownames.map { [$0.0, $0.1] }
        self.experts = experts
        self.port = port
        self.ours = ours
        self.type = type
        self.notes = notes
        self.texts = texts
    }
}
