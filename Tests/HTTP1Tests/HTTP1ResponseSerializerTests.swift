import HTTP1
import HTTPTypes
import Testing

@Suite struct HTTP1ResponseSerializerTests {
    static func written(_ response: HTTPResponse, body: String = "", keepAlive: Bool = true) -> String {
        var out: [UInt8] = []
        HTTP1ResponseSerializer.write(response, body: wire(body), keepAlive: keepAlive, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func admissionResponse() {
        let response = HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"])
        #expect(
            Self.written(response, body: #"{"ok":true}"#)
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
    }

    @Test func closingConnectionAddsConnectionClose() {
        #expect(
            Self.written(HTTPResponse(status: .badRequest), body: "bad", keepAlive: false)
                == "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad")
    }

    @Test func framingFieldsFromTheResponseAreReplaced() {
        let response = HTTPResponse(
            status: .ok,
            headerFields: [
                .contentLength: "999", .transferEncoding: "chunked", .connection: "keep-alive",
                HTTPField.Name("X-Request-Id")!: "7",
            ])
        #expect(Self.written(response, body: "ab") == "HTTP/1.1 200 OK\r\nX-Request-Id: 7\r\nContent-Length: 2\r\n\r\nab")
    }

    @Test func emptyBodyHasContentLengthZero() {
        #expect(Self.written(HTTPResponse(status: .notFound)) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func statusWithoutReasonPhraseKeepsTheSpace() {
        #expect(Self.written(HTTPResponse(status: 299)) == "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n")
    }

    @Test func noContentHasNeitherLengthNorBody() {
        #expect(Self.written(HTTPResponse(status: .noContent), body: "ignored") == "HTTP/1.1 204 No Content\r\n\r\n")
    }

    @Test func reasonPhraseIsLatin1() {
        var out: [UInt8] = []
        HTTP1ResponseSerializer.write(
            HTTPResponse(status: .init(code: 200, reasonPhrase: "Caf\u{e9}")), body: [], keepAlive: true, into: &out)
        #expect(out == wire("HTTP/1.1 200 Caf") + [0xE9] + wire("\r\nContent-Length: 0\r\n\r\n"))
    }

    @Test func appendsAfterExistingBytes() {
        var out = HTTP1ResponseSerializer.continueResponse
        HTTP1ResponseSerializer.write(HTTPResponse(status: .ok), body: wire("{}"), keepAlive: true, into: &out)
        #expect(out == wire("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
    }

    @Test func continueResponseBytes() {
        #expect(HTTP1ResponseSerializer.continueResponse == wire("HTTP/1.1 100 Continue\r\n\r\n"))
    }

    @Test func largeBodyLengthIsWrittenInDecimal() {
        let body = [UInt8](repeating: 0x61, count: 1_234_567)
        var out: [UInt8] = []
        HTTP1ResponseSerializer.write(HTTPResponse(status: .ok), body: body, keepAlive: true, into: &out)
        let head = wire("HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\n\r\n")
        #expect(out.count == head.count + body.count)
        #expect(Array(out.prefix(head.count)) == head)
        #expect(out.suffix(body.count).elementsEqual(body))
    }
}
