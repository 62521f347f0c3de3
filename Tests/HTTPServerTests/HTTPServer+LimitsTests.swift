import Foundation
import HTTPServer
import Testing

/// Timeouts and connection limits.
@Suite struct HTTPServerLimitsTests {
    @Test func dribblingClientIsClosedAfterTheHeaderReadTimeout() throws {
        let server = try TestServer(tls: false) { $0.headerReadTimeout = .milliseconds(300) }
        defer { server.stop() }
        let silent = try RawClient(port: server.port)
        let dribbler = try RawClient(port: server.port)
        let started = ContinuousClock.now
        dribbler.send("GET / HTTP/1.1\r\nHo")
        usleep(100_000)
        dribbler.send("st: a\r\n")
        let (text, closed) = dribbler.readUntilClosed(timeout: .seconds(3))
        let elapsed = ContinuousClock.now - started
        #expect(closed)
        #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(text)")
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2))
        // A connection that has not started a request is only subject to the idle timeout.
        #expect(!silent.isClosedByPeer(within: .milliseconds(200)))
        #expect(server.observer.counts.withLock { $0.rejectedRequests.map(\.status) } == [408])
    }

    @Test func idleConnectionIsClosedAfterTheIdleTimeout() throws {
        let server = try TestServer(tls: false) { $0.idleTimeout = .milliseconds(300) }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.read(until: "GET /one").hasPrefix("HTTP/1.1 200 OK"))
        let started = ContinuousClock.now
        #expect(client.isClosedByPeer(within: .seconds(3)))
        #expect(ContinuousClock.now - started >= .milliseconds(250))
    }

    @Test func stalledTLSHandshakeIsClosedAfterTheHandshakeTimeout() throws {
        let server = try TestServer { $0.tlsHandshakeTimeout = .milliseconds(300) }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        #expect(client.isClosedByPeer(within: .seconds(3)))
        #expect(server.observer.wait { $0.handshakeFailures == ["handshake timed out"] })
    }

    @Test func fiveHundredIdleConnectionsDoNotDelayANewClient() throws {
        let server = try TestServer()
        defer { server.stop() }
        let idle = try (0..<500).map { _ in try RawClient(port: server.port) }
        #expect(server.observer.wait { $0.opened == 500 })
        let started = ContinuousClock.now
        let output = try server.curl(["--http1.1", server.url("/fresh")])
        #expect(output.stdout == "HTTP/1.1 GET /fresh", "\(output.stderr)")
        #expect(ContinuousClock.now - started < .seconds(1))
        // Only curl's connection closes; the idle ones stay open.
        #expect(server.observer.wait { $0.closed == 1 })
        #expect(idle.count == 500 && server.server.openConnectionCount == 500)
    }

    @Test func connectionsOverTheLimitAreClosedAtOnce() throws {
        let server = try TestServer(tls: false) { $0.maxConnections = 10 }
        defer { server.stop() }
        let admitted = try (0..<10).map { _ in try RawClient(port: server.port) }
        #expect(server.observer.wait { $0.opened == 10 })
        let extra = try RawClient(port: server.port)
        #expect(extra.isClosedByPeer(within: .seconds(1)))
        #expect(server.observer.wait { $0.rejected == 1 })
        for (index, client) in admitted.enumerated() {
            client.send("GET /c\(index) HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(client.read(until: "GET /c\(index)").hasPrefix("HTTP/1.1 200 OK"))
        }
        #expect(server.server.openConnectionCount == 10)
    }

    @Test func clientThatDoesNotReadIsThrottledAndStillGetsEveryResponse() throws {
        let server = try TestServer(tls: false) { $0.maxBufferedOutputBytes = 64 << 10 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let body = String(repeating: "b", count: 32 << 10)
        let requests = (0..<200).map { "POST /echo HTTP/1.1\r\nHost: a\r\n\($0 == 199 ? "Connection: close\r\n" : "")Content-Length: \(body.count + 4)\r\n\r\n\(String(format: "%04d", $0))\(body)" }
        let sender = DispatchGroup()
        DispatchQueue.global().async(group: sender) {
            for request in requests { client.send(request) }
        }
        // The sender blocks once the server stops reading; reading the responses lets it finish.
        let (text, closed) = client.readUntilClosed(timeout: .seconds(10))
        #expect(closed)
        sender.wait()
        // Each echoed body, found in order: every search starts where the previous one ended.
        var position = text.startIndex
        var inOrder = 0
        for index in 0..<200 {
            guard let found = text.range(of: String(format: "%04d", index) + "bbbb", range: position..<text.endIndex) else { break }
            position = found.upperBound
            inOrder += 1
        }
        #expect(inOrder == 200)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 201)
    }

    @Test func pipelinedRequestsWaitWhileTheClientDoesNotRead() throws {
        let server = try TestServer(tls: false) { $0.maxBufferedOutputBytes = 256 << 10 }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let body = String(repeating: "p", count: 256 << 10)
        let count = 200
        let requests = (0..<count).map {
            "POST /echo HTTP/1.1\r\nHost: a\r\n\($0 == count - 1 ? "Connection: close\r\n" : "")Content-Length: \(body.count)\r\n\r\n\(body)"
        }
        let sender = DispatchGroup()
        DispatchQueue.global().async(group: sender) {
            for request in requests { client.send(request) }
        }
        // Without reading, only what the kernel's socket buffers and the output bound hold gets
        // answered: the server stops parsing and reading instead of buffering 50 MB of answers.
        usleep(1_500_000)
        let answeredWhileBlocked = server.observer.counts.withLock { $0.handled.count }
        #expect(answeredWhileBlocked < count / 2, "answered \(answeredWhileBlocked) of \(count) without the client reading")
        let (text, closed) = client.readUntilClosed(timeout: .seconds(20))
        sender.wait()
        #expect(closed)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == count + 1)
        #expect(server.observer.counts.withLock { $0.handled.count } == count)
    }

    @Test func slowBodyIsAnsweredWith408AfterTheBodyReadTimeout() throws {
        let server = try TestServer(tls: false) { $0.bodyReadTimeout = .milliseconds(300) }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let started = ContinuousClock.now
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789")
        usleep(100_000)
        client.send("0123456789")
        let (text, closed) = client.readUntilClosed(timeout: .seconds(3))
        let elapsed = ContinuousClock.now - started
        #expect(closed)
        #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(text)")
        #expect(text.hasSuffix("request body not received in time\n"))
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(2))
    }
}
