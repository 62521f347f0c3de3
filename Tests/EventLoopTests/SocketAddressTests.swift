import EventLoop
import Glibc
import Testing

@Suite struct SocketAddressTests {
    @Test func parsesLiterals() throws {
        let v4 = try SocketAddress(host: "10.1.2.3", port: 443)
        #expect(v4.family == .ipv4)
        #expect(v4.description == "10.1.2.3:443")
        let v6 = try SocketAddress(host: "[fd00::1]", port: 8443)
        #expect(v6.family == .ipv6)
        #expect(v6.host == "fd00::1")
        #expect(v6.description == "[fd00::1]:8443")
        #expect(try SocketAddress(host: "", port: 80).host == "0.0.0.0")
    }

    @Test(arguments: [("example.com", 80), ("1.2.3", 80), ("::g", 80), ("127.0.0.1", 70_000), ("127.0.0.1", -1)])
    func rejectsNonLiteralsAndBadPorts(host: String, port: Int) {
        #expect(throws: SystemError(call: "inet_pton", errno: EINVAL)) { try SocketAddress(host: host, port: port) }
    }
}
