import CNGHTTP2
import HTTPTypes
import Testing

@testable import HTTP2

@Suite struct HTTP2ServerSessionTests {
    private static func ok(_ body: [UInt8]) -> (HTTPResponse, [UInt8]) {
        (HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"]), body)
    }

    private static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }

    @Test(arguments: [Int.max, 1, 7, 1000])
    func postAcrossDataFramesYieldsOneRequestAndItsResponse(sliceSize: Int) throws {
        let connection = try HTTP2Connection(maxDataChunk: 1_000)
        let body = Self.pattern(count: 3_000)
        let streamID = connection.client.submitRequest(
            method: "POST", path: "/mutate?timeout=10s", authority: "eci-profile.kube-system.svc:443",
            headers: [("content-type", "application/json"), ("x-request-id", "abc")], body: body)

        try connection.exchange(sliceSize: sliceSize)

        #expect(connection.pending.count == 1)
        let received = try #require(connection.pending.first)
        #expect(received.streamID == streamID)
        #expect(received.request.method == .post)
        #expect(received.request.scheme == "https")
        #expect(received.request.path == "/mutate?timeout=10s")
        #expect(received.request.authority == "eci-profile.kube-system.svc:443")
        #expect(received.request.headerFields[.contentType] == "application/json")
        #expect(received.request.headerFields[HTTPField.Name("x-request-id")!] == "abc")
        #expect(received.body == body)

        let answer = Array(#"{"allowed":true}"#.utf8)
        let (response, _) = Self.ok(answer)
        connection.server.respond(streamID: streamID, response: response, body: answer)
        try connection.exchange()

        let reply = try #require(connection.client.responses[streamID])
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        #expect(reply.headers["content-length"] == "\(answer.count)")
        #expect(reply.body == answer)
        #expect(reply.ended)
        #expect(reply.closeErrorCode == NGHTTP2_NO_ERROR.rawValue)
    }

    @Test func answersFiftyConcurrentStreams() throws {
        let connection = try HTTP2Connection()
        let streamIDs = (0..<50).map { connection.client.submitRequest(path: "/s/\($0)") }

        try connection.exchange()
        #expect(connection.pending.count == 50)
        #expect(Set(connection.pending.map(\.streamID)) == Set(streamIDs))

        for request in connection.pending {
            let body = Array("answer for \(request.request.path!)".utf8)
            connection.server.respond(streamID: request.streamID, response: HTTPResponse(status: .ok), body: body)
        }
        connection.pending.removeAll()
        try connection.exchange()

        for (index, streamID) in streamIDs.enumerated() {
            let reply = try #require(connection.client.responses[streamID])
            #expect(reply.status == 200)
            #expect(reply.body == Array("answer for /s/\(index)".utf8))
        }
    }

    @Test func eightMiBBodyArrivesWholeWithWindowUpdates() throws {
        let connection = try HTTP2Connection()
        let body = Self.pattern(count: 8 << 20)
        let streamID = connection.client.submitRequest(
            method: "POST", path: "/mutate", headers: [("content-length", "\(body.count)")], body: body)

        try connection.exchange()

        #expect(connection.pending.count == 1)
        #expect(connection.pending.first?.body == body)
        #expect(connection.client.windowUpdatesReceived > 0)
        connection.server.respond(streamID: streamID, response: HTTPResponse(status: .noContent), body: [])
        try connection.exchange()
        #expect(connection.client.responses[streamID]?.status == 204)
        #expect(connection.server.bufferedBodyBytes == 0)
    }

    @Test(arguments: [true, false])
    func bodyOverLimitIsAnswered413AndTheSessionGoesOn(declaresLength: Bool) throws {
        let connection = try HTTP2Connection()
        let body = [UInt8](repeating: 0x61, count: (8 << 20) + 1)
        let headers = declaresLength ? [("content-length", "\(body.count)")] : []
        let tooLarge = connection.client.submitRequest(method: "POST", path: "/mutate", headers: headers, body: body)

        try connection.exchange(answer: { _ in Self.ok([]) })
        let small = connection.client.submitRequest(path: "/healthz")
        try connection.exchange(answer: { _ in Self.ok(Array("ok".utf8)) })

        #expect(connection.client.responses[tooLarge]?.status == 413)
        #expect(connection.client.responses[small]?.status == 200)
        #expect(connection.client.responses[small]?.body == Array("ok".utf8))
        #expect(!connection.server.wantsClose)
    }

    @Test func headerListOverLimitIsAnswered431() throws {
        let connection = try HTTP2Connection()
        let filler = String(repeating: "v", count: 1_000)
        let headers = (0..<80).map { ("x-filler-\($0)", filler) }
        let refused = connection.client.submitRequest(path: "/mutate", headers: headers)

        try connection.exchange(answer: { _ in Self.ok([]) })
        let next = connection.client.submitRequest(path: "/healthz")
        try connection.exchange(answer: { _ in Self.ok([]) })

        #expect(connection.client.responses[refused]?.status == 431)
        #expect(connection.client.responses[next]?.status == 200)
    }

    @Test func respondingToAResetStreamIsANoOp() throws {
        let connection = try HTTP2Connection()
        let streamID = connection.client.submitRequest(path: "/slow")
        try connection.exchange()
        let request = try #require(connection.pending.first)

        connection.client.reset(streamID: streamID)
        try connection.exchange()
        connection.server.respond(streamID: request.streamID, response: HTTPResponse(status: .ok), body: [1, 2, 3])
        var output: [UInt8] = []
        connection.server.takeOutput(into: &output)

        #expect(output.isEmpty)
        #expect(connection.client.responses[streamID]?.status == nil)
    }

    @Test func garbageInsteadOfThePrefaceThrows() throws {
        let server = try HTTP2ServerSession(now: { 0 })
        let garbage = Array("GET / HTTP/1.1\r\nHost: example\r\n\r\n".utf8)
        var requests: [HTTP2Request] = []

        #expect(throws: HTTP2SessionError.self) {
            try garbage.withUnsafeBytes { try server.receive($0, into: &requests) }
        }
        #expect(requests.isEmpty)
    }

    @Test func gracefulShutdownAnswersTheInFlightStreamThenWantsClose() throws {
        let connection = try HTTP2Connection()
        let streamID = connection.client.submitRequest(path: "/mutate")
        try connection.exchange()
        let request = try #require(connection.pending.first)
        connection.pending.removeAll()

        connection.server.startGracefulShutdown()
        try connection.exchange()
        #expect(!connection.server.wantsClose)
        #expect(connection.client.goAways.first == .init(lastStreamID: Int32.max, errorCode: 0))
        #expect(connection.client.goAways.last == .init(lastStreamID: streamID, errorCode: 0))

        connection.server.respond(streamID: request.streamID, response: HTTPResponse(status: .ok), body: Array("done".utf8))
        try connection.exchange()

        #expect(connection.client.responses[streamID]?.status == 200)
        #expect(connection.client.responses[streamID]?.body == Array("done".utf8))
        #expect(connection.server.wantsClose)
    }

    @Test func streamsOverTheConnectionBodyBudgetAreRefused() throws {
        var configuration = HTTP2Configuration()
        configuration.maxBufferedBodyBytes = 1 << 20
        let connection = try HTTP2Connection(configuration: configuration, maxDataChunk: 4_096)
        let bodies = [Self.pattern(count: 800_000), Array(Self.pattern(count: 800_001).reversed())]
        let streamIDs = bodies.map { connection.client.submitRequest(method: "POST", path: "/mutate", body: $0) }

        try connection.exchange()

        let refused = streamIDs.filter { connection.client.responses[$0]?.closeErrorCode == NGHTTP2_REFUSED_STREAM.rawValue }
        #expect(refused.count == 1)
        #expect(connection.pending.count == 1)
        let delivered = try #require(connection.pending.first)
        #expect(delivered.body == bodies[streamIDs.firstIndex(of: delivered.streamID)!])
        #expect(connection.server.bufferedBodyBytes == 0)
    }
}
