import Crypto
import Wire

/// The broker's challenge in the COOKIE that answers a HELLO (docs/PROTOCOL.md §4, "The challenge"): fresh, chosen by
/// this run of this broker, and checked without any state per address. A HELLO opens or changes a session only if it
/// carries a challenge for its address and nonce that this broker issued at most `lifetime` ago; and a nonce whose
/// session ended here, or that a newer HELLO of its session replaced, needs a challenge issued after that. So a
/// captured HELLO, replayed to any broker from any address, opens, moves or revives nothing.
struct HelloChallenges: Sendable {
    /// How long a challenge is good for: enough for a HELLO's retries at their longest backoff (2 s) several times over.
    static let lifetime: Int64 = 10_000_000
    /// Nonces of ended or replaced sessions remembered: sessions that end, not attackers, fill it, and a challenge
    /// older than `lifetime` is refused anyway, so this bounds how much session churn per 10 s is covered.
    static let maxRetiredNonces = 4096

    private let key: SipHash24
    private let epoch: UInt64
    /// When each retired nonce was retired at its address (ms of the broker's clock), and the order they came in.
    private var retired: [Retired: Int64] = [:]
    private var retiredOrder: [Retired] = []
    private var retiredHead = 0

    private struct Retired: Hashable, Sendable {
        var address: PeerAddress
        var nonce: UInt64
    }

    init(key: SipHash24, epoch: UInt64) {
        self.key = key
        self.epoch = epoch
    }

    /// A challenge for a HELLO of `nonce` from `address`: the time it was issued (ms, high 32 bits) and a MAC over the
    /// address, the nonce, this broker's id and that time (low 32 bits).
    func make(for address: PeerAddress, nonce: UInt64, now: Int64) -> UInt64 {
        let issued = UInt32(truncatingIfNeeded: now / 1000)
        return UInt64(issued) << 32 | UInt64(mac(address, nonce, issued))
    }

    /// Whether a HELLO's challenge lets it through (see the type's comment).
    func accepts(_ challenge: UInt64, for address: PeerAddress, nonce: UInt64, now: Int64) -> Bool {
        let issued = UInt32(truncatingIfNeeded: challenge >> 32)
        guard UInt32(truncatingIfNeeded: challenge) == mac(address, nonce, issued) else { return false }
        let age = Int64(UInt32(truncatingIfNeeded: now / 1000) &- issued)
        guard age <= Self.lifetime / 1000 else { return false }
        if let at = retired[Retired(address: address, nonce: nonce)], now / 1000 - age <= at { return false }
        return true
    }

    /// Remembers that the session of `nonce` at `address` ended or moved on to another nonce.
    mutating func retire(_ nonce: UInt64, at address: PeerAddress, now: Int64) {
        let key = Retired(address: address, nonce: nonce)
        if retired.updateValue(now / 1000, forKey: key) != nil { return }
        if retiredOrder.count < Self.maxRetiredNonces {
            retiredOrder.append(key)
            return
        }
        retired[retiredOrder[retiredHead]] = nil
        retiredOrder[retiredHead] = key
        retiredHead = (retiredHead + 1) % Self.maxRetiredNonces
    }

    private func mac(_ address: PeerAddress, _ nonce: UInt64, _ issued: UInt32) -> UInt32 {
        var w = ByteWriter(capacity: 48)
        w.write(bytes: Array("challenge".utf8))
        w.write(bytes: address.cookieMaterial)
        w.write(nonce)
        w.write(epoch)
        w.write(issued)
        return UInt32(truncatingIfNeeded: key.hash(w.bytes))
    }
}
