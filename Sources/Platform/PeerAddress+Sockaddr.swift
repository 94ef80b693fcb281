import CWire
import Wire

#if canImport(Glibc)
    import Glibc
#endif

extension PeerAddress {
    /// Resolves `host:port` (or `[v6]:port`) with getaddrinfo, preferring IPv4.
    public static func resolve(_ text: String) throws(AddressError) -> PeerAddress {
        let all = try resolveAll(text)
        return all.first { !$0.isIPv6 } ?? all[0]
    }

    /// Every address `host:port` resolves to (a Docker service or a Kubernetes headless Service name gives one per
    /// replica), without duplicates, in the order getaddrinfo gives them.
    public static func resolveAll(_ text: String) throws(AddressError) -> [PeerAddress] {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw AddressError(text: text, reason: "expected [host]:port") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw AddressError(text: text, reason: "expected host:port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText) else { throw AddressError(text: text, reason: "port must be 0-65535") }
        if host.isEmpty || host == "*" { host = "0.0.0.0" }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(String(host), nil, &hints, &res)
        guard rc == 0, let first = res else {
            throw AddressError(text: text, reason: "cannot resolve host '\(host)' (\(String(cString: gai_strerror(rc))))", unresolved: true)
        }
        defer { freeaddrinfo(res) }
        var out: [PeerAddress] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if var a = PeerAddress(sockaddr: UnsafeRawPointer(ai.pointee.ai_addr), length: ai.pointee.ai_addrlen) {
                a.port = port
                if !out.contains(a) { out.append(a) }
            }
            p = ai.pointee.ai_next
        }
        guard !out.isEmpty else { throw AddressError(text: text, reason: "no IPv4 or IPv6 address") }
        return out
    }

    init?(sockaddr raw: UnsafeRawPointer, length: socklen_t) {
        let family = raw.load(as: sa_family_t.self)
        if family == sa_family_t(AF_INET), length >= MemoryLayout<sockaddr_in>.size {
            let sin = raw.load(as: sockaddr_in.self)
            self.init(ipv4: UInt32(bigEndian: sin.sin_addr.s_addr), port: UInt16(bigEndian: sin.sin_port))
        } else if family == sa_family_t(AF_INET6), length >= MemoryLayout<sockaddr_in6>.size {
            let sin6 = raw.load(as: sockaddr_in6.self)
            var hi: UInt64 = 0
            var lo: UInt64 = 0
            withUnsafeBytes(of: sin6.sin6_addr) { b in
                for i in 0..<8 { hi = hi << 8 | UInt64(b[i]) }
                for i in 8..<16 { lo = lo << 8 | UInt64(b[i]) }
            }
            self.init(ipv6High: hi, low: lo, port: UInt16(bigEndian: sin6.sin6_port))
        } else {
            return nil
        }
    }

    /// Fills a sockaddr_storage; returns its length.
    func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        let raw = UnsafeMutableRawPointer(storage)
        if !isIPv6 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = UInt32(truncatingIfNeeded: low).bigEndian
            raw.storeBytes(of: sin, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { b in
            for i in 0..<8 { b[i] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i)) }
            for i in 0..<8 { b[8 + i] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * i)) }
        }
        raw.storeBytes(of: sin6, as: sockaddr_in6.self)
        return socklen_t(MemoryLayout<sockaddr_in6>.size)
    }
}
