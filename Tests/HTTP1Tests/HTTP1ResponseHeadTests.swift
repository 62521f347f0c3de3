@testable import HTTP1
import Testing

@Suite struct HTTP1ResponseHeadTests {
    private func parse(_ text: String) throws -> (head: HTTP1ResponseHead, length: Int)? {
        try Array(text.utf8).withUnsafeBytes { try HTTP1ResponseHead.parse($0, maxBytes: 1024) }
    }

    @Test func framingFollowsTheFields() throws {
        let cases: [(String, HTTP1ResponseHead)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", .init(status: 200, framing: .length(12), keepAlive: true)),
            ("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n", .init(status: 200, framing: .chunked, keepAlive: true)),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .init(status: 200, framing: .untilClose, keepAlive: false)),
            ("HTTP/1.1 200 OK\r\n\r\n", .init(status: 200, framing: .untilClose, keepAlive: false)),
            ("HTTP/1.1 410 Gone\r\nConnection: close\r\nContent-Length: 3\r\n\r\n", .init(status: 410, framing: .length(3), keepAlive: false)),
            ("HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", .init(status: 204, framing: .length(0), keepAlive: true)),
            ("HTTP/1.1 100 Continue\r\n\r\n", .init(status: 100, framing: .length(0), keepAlive: true)),
            ("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", .init(status: 200, framing: .length(1), keepAlive: false)),
            ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", .init(status: 200, framing: .length(1), keepAlive: true)),
            ("HTTP/1.1 201\r\nContent-Length: 0\r\n\r\n", .init(status: 201, framing: .length(0), keepAlive: true)),
            // Both framings: chunked wins and the connection is not reused (RFC 9112 §6.3).
            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .init(status: 200, framing: .chunked, keepAlive: false)),
        ]
        for (text, expected) in cases {
            let parsed = try parse(text + "body")
            #expect(parsed?.head == expected, "\(text)")
            #expect(parsed?.length == text.utf8.count, "\(text)")
        }
    }

    @Test func anUnfinishedHeadNeedsMoreBytes() throws {
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n") == nil)
    }

    @Test func malformedHeadsAreRefused() {
        let cases: [(String, HTTP1ParseError)] = [
            ("HTTP/2 200 OK\r\n\r\n", HTTP1ParseError(status: .badRequest, reason: "malformed status line")),
            ("HTTP/1.2 200 OK\r\n\r\n", HTTP1ParseError(status: .httpVersionNotSupported, reason: "unsupported HTTP version in status line")),
            ("HTTP/1.1 2x0 OK\r\n\r\n", HTTP1ParseError(status: .badRequest, reason: "malformed status code")),
            ("HTTP/1.1 200OK\r\n\r\n", HTTP1ParseError(status: .badRequest, reason: "malformed status code")),
            ("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", HTTP1ParseError(status: .badRequest, reason: "conflicting Content-Length values")),
            ("HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n", HTTP1ParseError(status: .badRequest, reason: "bare LF line ending")),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try parse(text) }
        }
    }
}
