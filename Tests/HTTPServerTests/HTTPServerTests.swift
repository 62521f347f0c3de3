import Foundation
import HTTPServer
import TLSTestSupport
import Testing

/// HTTP/1.1 behaviour: responses, keep-alive, pipelining, 100-continue, transport-level rejections.
@Suite struct HTTPServerTests {
    @Test func http1OverTLSReturnsTheHandlersResponse() throws {
        let server = try TestServer()
        defer { server.stop() }
        let body = String(repeating: "0123456789abcdef", count: 192)  // 3 KiB
        let output = try server.curl(["--http1.1", "-w", "\n%{http_code} %{http_version}", "--data-binary", body, server.url("/echo")])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == body + "\n200 1.1")
        #expect(server.observer.wait { $0.handled.count == 1 })
        let handled = server.observer.counts.withLock { $0.handled.first }
        #expect(handled?.path == "/echo" && handled?.status == 200 && handled?.version == .http1_1)
    }

    @Test func thousandRequestsShareOneKeepAliveConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let configFile = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString).conf").path
        defer { try? FileManager.default.removeItem(atPath: configFile) }
        let lines = (0..<1000).map { "url = \"\(server.url("/r\($0)"))\"\noutput = \"/dev/null\"\n" }.joined()
        try lines.write(toFile: configFile, atomically: true, encoding: .utf8)
        let output = try server.curl(["--http1.1", "-K", configFile, "-w", "%{http_code} %{num_connects}\n"])
        #expect(output.status == 0, "\(output.stderr)")
        let results = output.stdout.split(separator: "\n")
        #expect(results.count == 1000)
        #expect(results.allSatisfy { $0.hasPrefix("200 ") })
        #expect(results.map { Int($0.split(separator: " ")[1]) ?? -1 }.reduce(0, +) == 1)
        #expect(server.observer.counts.withLock { $0.opened } == 1)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try TestServer(tls: false)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nsecond"
            + "GET /third HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let (text, closed) = client.readUntilClosed()
        #expect(closed)
        let first = try #require(text.range(of: "HTTP/1.1 GET /first"))
        let second = try #require(text.range(of: "\r\n\r\nsecond"))
        let third = try #require(text.range(of: "HTTP/1.1 GET /third"))
        #expect(first.upperBound <= second.lowerBound && second.upperBound <= third.lowerBound)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 4)
        #expect(text.hasSuffix("Connection: close\r\n\r\nHTTP/1.1 GET /third"))
    }

    @Test func pipelinedRequestsOverTLSAreAnsweredInOrder() throws {
        let server = try TestServer()
        defer { server.stop() }
        let requests = (1...3).map { "GET /p\($0) HTTP/1.1\r\nHost: localhost\r\n\($0 == 3 ? "Connection: close\r\n" : "")\r\n" }.joined()
        let output = try ExternalTool.sClient(port: server.port, ["-alpn", "http/1.1"], input: requests, waitForClose: true)
        #expect(output.stdout.components(separatedBy: "HTTP/1.1 200 OK").count == 4, "\(output.stdout)")
        let positions = (1...3).compactMap { output.stdout.range(of: "GET /p\($0)")?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted())
        #expect(output.stdout.hasSuffix("Connection: close\r\n\r\nHTTP/1.1 GET /p3"))
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
        let server = try TestServer(tls: false)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(client.read(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
        client.send("hello")
        let response = client.read(until: "hello")
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.hasSuffix("\r\n\r\nhello"))
    }

    @Test func handlerStatusesPassThroughAndKeepTheConnection() throws {
        let server = try TestServer(tls: false)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n")
        let missing = client.read(until: "not found")
        #expect(missing.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(!missing.contains("Connection: close"))
        client.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.read(until: "GET /again").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(server.observer.counts.withLock { $0.rejectedRequests.isEmpty })
    }

    /// A request the transport refuses, with the status it must get.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: String
        var status: String
        var testDescription: String { name }
    }

    static let refusals = [
        Refusal(name: "malformed request line", bytes: "GET /\tbad HTTP/1.1\r\nHost: a\r\n\r\n", status: "400 Bad Request"),
        Refusal(name: "bare LF", bytes: "GET / HTTP/1.1\nHost: a\n\n", status: "400 Bad Request"),
        Refusal(name: "Content-Length over the limit", bytes: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n"
            + String(repeating: "x", count: 2000), status: "413 Content Too Large"),
        Refusal(name: "chunked body over the limit", bytes: "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "200\r\n" + String(repeating: "x", count: 512) + "\r\n" + "400\r\n" + String(repeating: "y", count: 1024) + "\r\n0\r\n\r\n",
            status: "413 Content Too Large"),
        Refusal(name: "header block over the limit", bytes: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "h", count: 3000) + "\r\n\r\n",
            status: "431 Request Header Fields Too Large"),
    ]

    @Test(arguments: refusals)
    func refusedRequestIsAnsweredAndClosedThenANewConnectionWorks(_ refusal: Refusal) throws {
        let server = try TestServer(tls: false) {
            $0.maxRequestBodyBytes = 1024
            $0.maxHeaderBytes = 2048
        }
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send(refusal.bytes)
        let (text, closed) = client.readUntilClosed()
        #expect(closed)
        #expect(text.hasPrefix("HTTP/1.1 \(refusal.status)\r\n"), "\(text)")
        #expect(text.contains("\r\nConnection: close\r\n"))
        #expect(text.hasSuffix("\n") && text.split(separator: "\r\n\r\n").last?.split(separator: "\n").count == 1)
        let code = Int(refusal.status.prefix(3))!
        #expect(server.observer.wait { $0.rejectedRequests.map(\.status) == [code] })

        let next = try RawClient(port: server.port)
        next.send("GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let after = next.readUntilClosed()
        #expect(after.closed && after.text.hasPrefix("HTTP/1.1 200 OK\r\n") && after.text.hasSuffix("GET /after"))
    }

    @Test func oversizedBodyOverTLSIsRefusedWith413() throws {
        let server = try TestServer { $0.maxRequestBodyBytes = 1024 }
        defer { server.stop() }
        let output = try server.curl(["--http1.1", "-w", "%{http_code}", "-o", "/dev/null", "--data-binary", String(repeating: "z", count: 4096), server.url("/echo")])
        #expect(output.stdout == "413", "\(output.stderr)")
        let good = try server.curl(["--http1.1", server.url("/ok")])
        #expect(good.stdout == "HTTP/1.1 GET /ok")
    }
}
