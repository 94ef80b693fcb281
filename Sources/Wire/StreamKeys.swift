import Crypto

/// Stream keys, as RTMP ingest has them: each producer id has a 16-byte key derived from the cluster's publish
/// secret, so an operator hands each producer only its own key (`broker --issue-key 1AAA99`) and every broker
/// that holds the secret can check it. The key itself never travels: a producer proves it in its HELLO, and both
/// sides derive a per-session media key from it for the DATA MAC. docs/PROTOCOL.md §4 and docs/SECURITY.md.
public enum StreamKeys {
    public static let keyBytes = 16
    public static let proofBytes = 16
    /// The shortest publish secret a broker accepts (bytes).
    public static let minSecretBytes = 16

    /// HMAC-SHA-256(secret, "vbroker stream key v1" ‖ producer id (3 bytes)), first 16 bytes.
    public static func streamKey(secret: [UInt8], producer: ProducerID) -> [UInt8] {
        Array(HMACSHA256.mac(key: secret, Array("vbroker stream key v1".utf8) + producer.bytes).prefix(keyBytes))
    }

    /// HMAC-SHA-256(stream key, "vbroker hello v1" ‖ the HELLO's bytes 0 ..< 26 + 8·streams), first 16 bytes.
    public static func helloProof(streamKey: [UInt8], signed: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.mac(key: streamKey, Array("vbroker hello v1".utf8) + signed).prefix(proofBytes))
    }

    /// HMAC-SHA-256(stream key, "vbroker media v1" ‖ the session's HELLO nonce, 8 bytes big-endian), first 16
    /// bytes: a new media key for every session, so DATA captured from an earlier session does not verify.
    public static func mediaKey(streamKey: [UInt8], nonce: UInt64) -> DataMAC {
        let n = (0..<8).map { UInt8(truncatingIfNeeded: nonce >> (56 - 8 * UInt64($0))) }
        return DataMAC(key: Array(HMACSHA256.mac(key: streamKey, Array("vbroker media v1".utf8) + n).prefix(keyBytes)))
    }

    /// 32 hex digits, as `broker --issue-key` prints a key.
    public static func hex(_ key: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in key {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A key from 32 hex digits (either case), or nil.
    public static func parse(hex text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count == 2 * keyBytes else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}
