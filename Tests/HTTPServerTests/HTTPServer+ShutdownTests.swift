import Foundation
import HTTPServer
import Synchronization
import TLSTestSupport
import Testing

/// Graceful shutdown.
@Suite struct HTTPServerShutdownTests {
    @Test func requestsInFlightAreAnsweredDuringShutdown() throws {
        let server = try TestServer(threads: 1)
        let clients = [["--http1.1"], ["--http1.1"], ["--http2"], ["--http1.1"]]
        let results = Mutex<[ExternalTool.Output?]>(Array(repeating: nil, count: clients.count))
        let group = DispatchGroup()
        for (index, options) in clients.enumerated() {
            let arguments = options + ["-w", " %{http_code} %{http_version}", server.url("/slow")]
            DispatchQueue.global().async(group: group) {
                let output = try? server.curl(arguments)
                results.withLock { $0[index] = output }
            }
        }
        // The first request blocks the loop for 300 ms; the others are sent meanwhile.
        #expect(server.observer.wait { _ in server.handler.slowRequestsStarted.load(ordering: .relaxed) >= 1 })
        #expect(server.observer.wait { $0.opened == clients.count })
        usleep(100_000)
        server.server.shutdown(grace: .seconds(5))
        #expect(server.server.openConnectionCount == 0)
        group.wait()
        let outputs = results.withLock { $0 }
        for (index, output) in outputs.enumerated() {
            let version = clients[index] == ["--http2"] ? "2" : "1.1"
            #expect(output?.stdout == "slow 200 \(version)", "client \(index): \(output?.stderr ?? "no output")")
        }
        // New connections are refused once shut down.
        #expect(throws: (any Error).self) { try RawClient(port: server.port) }
        server.group.shutdownGracefully()
    }

    @Test func idleKeepAliveConnectionsCloseAtOnceOnShutdown() throws {
        let server = try TestServer(tls: false)
        let client = try RawClient(port: server.port)
        client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.read(until: "GET /a").hasPrefix("HTTP/1.1 200 OK"))
        let started = ContinuousClock.now
        server.server.shutdown(grace: .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(client.isClosedByPeer(within: .seconds(1)))
        server.group.shutdownGracefully()
    }
}
