import EventLoop
import Glibc
import Testing

@Suite struct ListeningSocketTests {
    @Test func portZeroBindsAnEphemeralPort() throws {
        let listener = try ListeningSocket(host: "127.0.0.1", port: 0)
        #expect(listener.port > 0)
        #expect(listener.localAddress == (try SocketAddress(host: "127.0.0.1", port: listener.port)))
        #expect(listener.localAddress.family == .ipv4)
    }

    @Test func acceptAnswersWouldBlockWithNothingPending() throws {
        let listener = try ListeningSocket(host: "127.0.0.1", port: 0)
        guard case .wouldBlock = try listener.accept() else {
            Issue.record("accept without a pending connection must not block or succeed")
            return
        }
    }

    @Test(arguments: ["::1", "[::1]"]) func bindsIPv6Literals(host: String) throws {
        let listener = try ListeningSocket(host: host, port: 0)
        #expect(listener.localAddress.family == .ipv6)
        #expect(listener.localAddress.host == "::1")
        let client = try Socket.connect(to: SocketAddress(host: "::1", port: listener.port))
        guard case .processed(let accepted) = try listener.accept() else {
            Issue.record("the connection should be pending")
            return
        }
        #expect(try accepted.remoteAddress() == client.localAddress())
    }

    @Test(arguments: ["", "0.0.0.0"]) func anyAddressAcceptsLoopback(host: String) throws {
        let listener = try ListeningSocket(host: host, port: 0)
        #expect(listener.localAddress.host == "0.0.0.0")
        _ = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: listener.port))
        guard case .processed = try listener.accept() else {
            Issue.record("the connection should be pending")
            return
        }
    }

    @Test func reusePortListenersBothAccept() throws {
        let first = try ListeningSocket(host: "127.0.0.1", port: 0)
        let second = try ListeningSocket(host: "127.0.0.1", port: first.port)
        let address = try SocketAddress(host: "127.0.0.1", port: first.port)
        // The kernel hashes each connection's 4-tuple to one listener; with 64 connections, all landing on
        // one listener has probability 2^-63.
        let clients = try (0..<64).map { _ in try Socket.connect(to: address) }
        func drain(_ listener: ListeningSocket) throws -> Int {
            var count = 0
            while case .processed = try listener.accept() { count += 1 }
            return count
        }
        let (firstCount, secondCount) = (try drain(first), try drain(second))
        #expect(firstCount + secondCount == clients.count)
        #expect(firstCount > 0)
        #expect(secondCount > 0)
    }

    @Test func bindingAPortInUseWithoutReusePortThrowsBind() throws {
        let first = try ListeningSocket(host: "127.0.0.1", port: 0, reusePort: false)
        #expect(throws: SystemError(call: "bind", errno: EADDRINUSE)) {
            try ListeningSocket(host: "127.0.0.1", port: first.port, reusePort: false)
        }
        let error = SystemError(call: "bind", errno: EADDRINUSE)
        #expect(error.description == "bind failed: Address already in use (errno \(EADDRINUSE))")
    }

    @Test func invalidHostIsRejected() {
        #expect(throws: SystemError(call: "inet_pton", errno: EINVAL)) {
            try ListeningSocket(host: "localhost", port: 0)
        }
    }
}
