import SimulationSupport
import XCTest

@testable import Wire

final class PeerAddressTests: XCTestCase {
    func testDescription() {
        XCTAssertEqual(PeerAddress(ipv4: 0x7f00_0001, port: 4000).description, "127.0.0.1:4000")
        XCTAssertEqual(PeerAddress(ipv4: 0xC0A8_01FE, port: 65535).description, "192.168.1.254:65535")
        XCTAssertEqual(PeerAddress(ipv6High: 0x2001_0db8_0000_0000, low: 1, port: 443).description, "[2001:db8:0:0:0:0:0:1]:443")
    }

    func testCookieMaterialTellsAddressesApart() {
        let a = PeerAddress(ipv4: 0x7f00_0001, port: 4000)
        XCTAssertEqual(a.cookieMaterial.count, 19)
        XCTAssertEqual(a.cookieMaterial, PeerAddress(ipv4: 0x7f00_0001, port: 4000).cookieMaterial)
        XCTAssertNotEqual(a.cookieMaterial, PeerAddress(ipv4: 0x7f00_0001, port: 4001).cookieMaterial)
        XCTAssertNotEqual(a.cookieMaterial, PeerAddress(ipv4: 0x7f00_0002, port: 4000).cookieMaterial)
        // The IPv4 address and the IPv4-looking IPv6 address are different peers.
        XCTAssertNotEqual(a.cookieMaterial, PeerAddress(ipv6High: 0, low: 0x7f00_0001, port: 4000).cookieMaterial)
        XCTAssertNotEqual(a, PeerAddress(ipv6High: 0, low: 0x7f00_0001, port: 4000))
    }
}
