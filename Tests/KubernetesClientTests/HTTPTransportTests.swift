import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import KubernetesClient

/// The client's HTTP/1.1 transport against a scripted plain-HTTP server: framing, reuse, limits.
@Suite struct HTTPTransportTests {
    private static func client(_ url: String, requestTimeout: Duration = .seconds(5)) -> KubernetesClient {
        var configuration = KubernetesClientConfiguration(server: url)
        configuration.requestTimeout = requestTimeout
        return KubernetesClient(configuration: configuration, logger: Logger(label: "transport-test"))
    }

    private static func answer(_ body: String, close: Bool = false) -> String {
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(close ? "Connection: close\r\n" : "")"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func watchEventsSplitAcrossReadsAndChunksArriveWhole() async throws {
        let added = #"{"metadata":{"name":"a","resourceVersion":"1"},"data":{"k":"v"}}"#
        let deleted = #"{"metadata":{"name":"a","resourceVersion":"2"}}"#
        let first = #"{"type":"ADDED","object":"# + added + "}\n"
        let second = #"{"type":"DELETED","object":"# + deleted + "}\n"
        let firstSize = String(first.utf8.count, radix: 16)
        let server = try ScriptedHTTPServer { _ in
            [
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                // The chunk-size line, the data and its CRLF each split over reads; the second
                // event spans two chunks, the first of which carries an extension.
                String(firstSize.prefix(1)), String(firstSize.dropFirst(1)) + "\r\n" + first.prefix(30),
                first.dropFirst(30) + "\r", "\n",
                "10;ext=\"x\"\r\n" + second.prefix(16) + "\r\n",
                String(second.utf8.count - 16, radix: 16) + "\r\n" + second.dropFirst(16) + "\r\n",
                "0\r\n", "\r\n",
            ]
        }
        defer { server.stop() }

        var received: [(type: String, object: ConfigMap?)] = []
        for try await event in Self.client(server.url).watch(ConfigMap.self, path: "/api/v1/configmaps?watch=1", timeout: .seconds(5)) {
            switch event {
            case .added(let object): received.append(("ADDED", object))
            case .deleted(let object): received.append(("DELETED", object))
            default: received.append(("\(event)", nil))
            }
        }

        let decode = { (json: String) in try JSONDecoder().decode(ConfigMap.self, from: Data(json.utf8)) }
        #expect(received.map(\.type) == ["ADDED", "DELETED"])
        #expect(received.map(\.object) == [try decode(added), try decode(deleted)])
        #expect(server.requestHeads == [
            "GET /api/v1/configmaps?watch=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nAccept: application/json\r\n"
                + "User-Agent: eci-profile\r\n\r\n"
        ])
    }

    @Test func keepAliveConnectionsAreReusedAndClosedOnesReplaced() async throws {
        // Requests 0-2 share a connection; answer 2 says Connection: close, so 3 needs a new one.
        let server = try ScriptedHTTPServer { index in [Self.answer("{\"n\":\(index)}", close: index == 2)] }
        defer { server.stop() }
        let client = Self.client(server.url)

        var bodies: [String] = []
        for _ in 0..<4 {
            bodies.append(String(decoding: try await client.get(path: "/api/v1/namespaces").body, as: UTF8.self))
        }

        #expect(bodies == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
        #expect(server.connections == 2)
    }

    @Test func aPooledConnectionTheServerClosedIsNotUsed() async throws {
        let server = try ScriptedHTTPServer(closesAfterAnswer: true) { index in [Self.answer("{\"n\":\(index)}")] }
        defer { server.stop() }
        let client = Self.client(server.url)

        #expect(try await client.get(path: "/a").body == Array(#"{"n":0}"#.utf8))
        try await Task.sleep(for: .milliseconds(100))  // the server's FIN reaches the pooled connection
        #expect(try await client.get(path: "/b").body == Array(#"{"n":1}"#.utf8))

        #expect(server.connections == 2)
        #expect(server.requestHeads.map { $0.prefix { $0 != "\r\n" } } == ["GET /a HTTP/1.1", "GET /b HTTP/1.1"])
    }

    @Test func aSilentServerTimesOutAfterTheRequestTimeout() async throws {
        let server = try ScriptedHTTPServer { _ in [] }
        defer { server.stop() }
        let started = ContinuousClock.now

        await #expect(throws: KubernetesClientError.transport(call: "recv", code: Int(ETIMEDOUT), message: "timed out after 0.3 s")) {
            _ = try await Self.client(server.url, requestTimeout: .milliseconds(300)).get(path: "/slow")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(2))
    }

    @Test func aResponseCutShortIsAnError() async throws {
        let server = try ScriptedHTTPServer(closesAfterAnswer: true) { _ in
            ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"]
        }
        defer { server.stop() }

        await #expect(throws: KubernetesClientError.transport(
            call: "recv", code: 0, message: "the API server closed the connection before the end of the body")) {
            _ = try await Self.client(server.url).get(path: "/short")
        }
    }

    @Test func aMalformedResponseIsAnError() async throws {
        let server = try ScriptedHTTPServer { _ in ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] }
        defer { server.stop() }

        await #expect(throws: KubernetesClientError.transport(
            call: "HTTP/1.1", code: 0, message: "malformed response from the API server: invalid chunk size")) {
            _ = try await Self.client(server.url).get(path: "/bad")
        }
    }

    @Test func aRefusedConnectionNamesTheAddress() async throws {
        // A port that was just free: bind, read it, close.
        let server = try ScriptedHTTPServer { _ in [] }
        let port = server.port
        server.stop()
        try await Task.sleep(for: .milliseconds(50))

        await #expect(throws: KubernetesClientError.transport(
            call: "connect", code: Int(ECONNREFUSED), message: "127.0.0.1:\(port): Connection refused")) {
            _ = try await Self.client("http://127.0.0.1:\(port)").get(path: "/")
        }
    }
}
