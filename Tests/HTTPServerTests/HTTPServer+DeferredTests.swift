import Foundation
import HTTPServer
import TLSTestSupport
import Testing

/// Deferred answers (`HTTPHandlerAnswer.later`): the loop keeps serving while one is pending, HTTP/1.1
/// keeps pipelined responses in order, HTTP/2 answers other streams meanwhile, a closed connection drops it.
@Suite struct HTTPServerDeferredTests {
    @Test func otherConnectionsOnTheLoopAreServedWhileAnAnswerIsPending() throws {
        let server = try TestServer(tls: false, threads: 1)
        defer { server.stop() }
        let waiting = try RawClient(port: server.port)
        waiting.send("GET /deferred HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(server.observer.wait { _ in server.handler.deferredRequestsStarted.load(ordering: .relaxed) == 1 })
        let other = try RawClient(port: server.port)
        let started = ContinuousClock.now
        other.send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(other.read(until: "GET /other").hasSuffix("\r\n\r\nHTTP/1.1 GET /other"))
        #expect(ContinuousClock.now - started < .milliseconds(150))
        #expect(waiting.read(until: "deferred 1").hasSuffix("\r\n\r\ndeferred 1"))
        #expect(server.observer.wait { $0.handled.map(\.path) == ["/other", "/deferred"] })
    }

    @Test func pipelinedRequestsBehindADeferredAnswerKeepTheirOrder() throws {
        let server = try TestServer(tls: false)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /deferred HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /second HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /deferred HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let (text, closed) = client.readUntilClosed()
        #expect(closed)
        let bodies = text.components(separatedBy: "HTTP/1.1 200 OK\r\n").dropFirst().compactMap { $0.components(separatedBy: "\r\n\r\n").last }
        #expect(bodies == ["deferred 1", "HTTP/1.1 GET /second", "deferred 2"])
        #expect(text.hasSuffix("Connection: close\r\n\r\ndeferred 2"))
    }

    @Test func http2AnswersOtherStreamsWhileOneWaits() throws {
        let server = try TestServer()
        defer { server.stop() }
        let output = try server.curl([
            "--http2", "--parallel", "-w", "%{http_version} %{url_effective} %{time_total}\n",
            "-o", "/dev/null", server.url("/deferred"), "-o", "/dev/null", server.url("/fast"),
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.count == 2 && lines.allSatisfy { $0[0] == "2" })
        // curl reports transfers as they finish: the immediate one first.
        #expect(lines.map { $0[1].hasSuffix("/fast") } == [true, false], "\(output.stdout)")
        #expect(server.observer.wait { $0.handled.map(\.path).sorted() == ["/deferred", "/fast"] && $0.opened == 1 })
    }

    @Test func anAnswerForAConnectionTheClientClosedIsDropped() throws {
        let server = try TestServer(threads: 1)
        defer { server.stop() }
        // curl gives up after 100 ms and closes the connection; the answer comes 200 ms after the request.
        let output = try server.curl(["--http2", "--max-time", "0.1", "-o", "/dev/null", server.url("/deferred")])
        #expect(output.status == 28, "\(output.stderr)")
        #expect(server.observer.wait { $0.closed == 1 })
        usleep(300_000)
        let next = try server.curl(["--http2", server.url("/next")])
        #expect(next.stdout == "HTTP/2 GET /next")
        #expect(server.observer.wait { $0.closed == 2 })
        #expect(server.observer.counts.withLock { $0.handled.map(\.path) } == ["/next"])
    }

    @Test func aClientThatResetsWhileItsAnswerIsPendingLeavesTheServerServing() throws {
        let server = try TestServer(tls: false, threads: 1)
        defer { server.stop() }
        do {
            let client = try RawClient(port: server.port)
            client.send("GET /deferred HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(server.observer.wait { _ in server.handler.deferredRequestsStarted.load(ordering: .relaxed) == 1 })
            client.resetOnClose()
        }
        // Reading pauses while an HTTP/1.1 answer is pending: the reset is noticed when the answer is written.
        #expect(server.observer.wait { $0.closed == 1 })
        let next = try RawClient(port: server.port)
        next.send("GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        #expect(next.readUntilClosed().text.hasSuffix("HTTP/1.1 GET /next"))
        #expect(server.observer.wait { $0.closed == 2 })
    }
}
