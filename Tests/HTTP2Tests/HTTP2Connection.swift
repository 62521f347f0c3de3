@testable import HTTP2
import HTTPTypes
import Testing

/// A test client and a server session wired back to back in memory.
final class HTTP2Connection {
    let client: NGHTTP2TestClient
    let server: HTTP2ServerSession
    let clock = TestClock()
    /// Requests the server completed and the test has not answered yet.
    var pending: [HTTP2Request] = []

    init(configuration: HTTP2Configuration = HTTP2Configuration(), maxDataChunk: Int = 16_384) throws {
        client = NGHTTP2TestClient(maxDataChunk: maxDataChunk)
        let clock = self.clock
        server = try HTTP2ServerSession(configuration: configuration, now: { clock.nanoseconds })
    }

    /// Moves bytes both ways until neither side has anything to send. Client bytes reach the server
    /// in slices of `sliceSize`; each completed request goes to `answer`, or stays in `pending`.
    func exchange(sliceSize: Int = .max, answer: ((HTTP2Request) -> (HTTPResponse, [UInt8]))? = nil) throws {
        for _ in 0..<100_000 {
            let toServer = client.takeOutput()
            var start = 0
            while start < toServer.count {
                let end = min(toServer.count, start + sliceSize)
                try toServer[start..<end].withUnsafeBytes { try server.receive($0, into: &pending) }
                start = end
            }
            if let answer {
                for request in pending {
                    let (response, body) = answer(request)
                    server.respond(streamID: request.streamID, response: response, body: body)
                }
                pending.removeAll()
            }
            var toClient: [UInt8] = []
            server.takeOutput(into: &toClient)
            client.receive(toClient)
            if toServer.isEmpty && toClient.isEmpty { return }
        }
        Issue.record("exchange did not settle")
    }
}
