import HTTP1
import HTTPTypes
import Testing

@Suite struct HTTP1RequestParserBodyTests {
    static let chunkedHead = makeHead(fields: [.transferEncoding: "chunked"])
    static let chunkedPrefix = "POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// The outcome of a chunked request whose body section is `chunks`.
    static func chunked(_ chunks: String, limits: HTTP1ParserLimits = HTTP1ParserLimits()) -> ParseOutcome {
        HTTP1ParserVerifier.verify(wire(chunkedPrefix + chunks), limits: limits)
    }

    static func decoded(_ body: String) -> ParseOutcome {
        ParseOutcome(events: [.head(chunkedHead), .request(chunkedHead, body: wire(body)[...])])
    }

    static func refused(_ status: HTTPResponse.Status, _ reason: String) -> ParseOutcome {
        ParseOutcome(events: [.head(chunkedHead)], error: HTTP1ParseError(status: status, reason: reason), isIdle: false)
    }

    @Test func contentLengthBody() {
        let head = makeHead(fields: [.contentLength: "11"])
        #expect(
            HTTP1ParserVerifier.verify(wire("POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nContent-Length: 11\r\n\r\nhello world"))
                == ParseOutcome(events: [.head(head), .request(head, body: wire("hello world")[...])]))
    }

    @Test func contentLengthAtTheLimitIsAcceptedAndAboveIsRefusedWithoutAHead() {
        let limits = HTTP1ParserLimits(maxBodyBytes: 8)
        let head = makeHead(fields: [.contentLength: "8"])
        #expect(
            HTTP1ParserVerifier.verify(wire("POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nContent-Length: 8\r\n\r\n12345678"), limits: limits)
                == ParseOutcome(events: [.head(head), .request(head, body: wire("12345678")[...])]))
        // Refused from the header alone: the body is never waited for.
        #expect(
            HTTP1ParserVerifier.verify(wire("POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nContent-Length: 9\r\n\r\n"), limits: limits)
                == ParseOutcome(error: HTTP1ParseError(status: .contentTooLarge, reason: "Content-Length over 8 bytes"), isIdle: false))
    }

    @Test func defaultBodyLimitIsEightMebibytes() {
        #expect(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8388609\r\n\r\n") == 413)
        var parser = HTTP1RequestParser()
        wire("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8388608\r\n\r\n").withUnsafeBytes { parser.append($0) }
        #expect(throws: Never.self) { _ = try parser.next() }
    }

    @Test func chunkedBody() {
        #expect(Self.chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n") == Self.decoded("hello world"))
    }

    @Test func chunkSizesAreHexWithAnyCaseAndLeadingZeros() {
        #expect(Self.chunked("A\r\n0123456789\r\n00000b\r\nabcdefghijk\r\n000\r\n\r\n") == Self.decoded("0123456789abcdefghijk"))
    }

    @Test func chunkExtensionsAreValidatedAndIgnored() {
        let chunks = "5;name\r\nhello\r\n1 ; a = b ;q=\"x \\\" y\"\r\n!\r\n0;last=\"\"\r\n\r\n"
        #expect(Self.chunked(chunks) == Self.decoded("hello!"))
    }

    @Test func trailersAreParsedAndDropped() {
        #expect(Self.chunked("2\r\nok\r\n0\r\nX-Checksum: abc\r\nX-Other:\t1\r\n\r\n") == Self.decoded("ok"))
    }

    @Test(arguments: [
        ("g\r\n", "invalid chunk size"),
        ("\r\n", "invalid chunk size"),
        ("-5\r\nhello\r\n", "invalid chunk size"),
        ("5 \r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
        ("5;\r\nhello\r\n", "invalid chunk extension"),
        ("5;a=\r\nhello\r\n", "invalid chunk extension"),
        ("5;a=b c\r\nhello\r\n", "invalid chunk extension"),
        ("5;a=\"b\r\nhello\r\n", "unterminated quoted string in chunk extension"),
        ("5;a=\"\u{01}\"\r\nhello\r\n", "invalid chunk extension"),
        ("5\nhello\r\n", "bare LF in chunk-size line"),
        ("5\rhello\r\n", "bare CR in chunk-size line"),
        ("5\r\nhelloX\r\n", "missing CRLF after chunk data"),
        ("5\r\nhelloX", "missing CRLF after chunk data"),  // refused without waiting for a second byte
        ("5\r\nhello\rX", "missing CRLF after chunk data"),
        ("5\r\nhello\n0\r\n\r\n", "missing CRLF after chunk data"),
        ("10000000000000000\r\n", "chunk size overflows"),
        ("0\r\nX-Trailer: 1\r\n folded\r\n\r\n", "obsolete line folding or leading whitespace"),
        ("0\r\nNoColon\r\n\r\n", "field line without colon"),
        ("0\r\nX: a\u{0}b\r\n\r\n", "control character in head"),
        ("0\r\nX: 1\n\r\n", "bare LF line ending"),
    ])
    func malformedChunkedBodiesAreRefusedWith400(chunks: String, reason: String) {
        #expect(Self.chunked(chunks) == Self.refused(.badRequest, reason))
    }

    @Test func chunkedBodyOverTheLimitIsRefusedWith413() {
        let limits = HTTP1ParserLimits(maxBodyBytes: 10)
        #expect(Self.chunked("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", limits: limits) == Self.decoded("helloworld"))
        #expect(
            Self.chunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", limits: limits)
                == Self.refused(.contentTooLarge, "chunked body over 10 bytes"))
        #expect(Self.chunked("7fffffffffffffff\r\n") == Self.refused(.contentTooLarge, "chunked body over 8388608 bytes"))
    }

    @Test func chunkSizeLineLengthIsBounded() {
        let limits = HTTP1ParserLimits(maxChunkLineBytes: 16)
        #expect(Self.chunked("1;ext=1234567890\r\nx\r\n0\r\n\r\n", limits: limits) == Self.decoded("x"))
        #expect(
            Self.chunked("1;ext=12345678901\r\nx\r\n0\r\n\r\n", limits: limits)
                == Self.refused(.badRequest, "chunk-size line over 16 bytes"))
        #expect(
            Self.chunked("1;ext=" + String(repeating: "9", count: 100), limits: limits)
                == Self.refused(.badRequest, "chunk-size line over 16 bytes"))
    }

    @Test func trailersCountAgainstTheHeaderLimit() {
        let head = wire(Self.chunkedPrefix).count
        let trailer = "0\r\nX-T: 1\r\n\r\n"
        let sectionBytes = trailer.utf8.count - 3  // the trailer section starts after the last chunk's "0\r\n"
        let fits = HTTP1ParserLimits(maxHeaderBytes: head + sectionBytes)
        let tooSmall = HTTP1ParserLimits(maxHeaderBytes: head + sectionBytes - 1)
        #expect(Self.chunked(trailer, limits: fits) == Self.decoded(""))
        #expect(Self.chunked(trailer, limits: tooSmall).error?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func bodyBytesLargerThanOneReadAreAssembled() {
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let request = wire("POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nContent-Length: 100000\r\n\r\n") + body
        let pieces = stride(from: 0, to: request.count, by: 16_384).map { request[$0..<min($0 + 16_384, request.count)] }
        let head = makeHead(fields: [.contentLength: "100000"])
        #expect(
            HTTP1ParserVerifier.parse(pieces, limits: HTTP1ParserLimits())
                == ParseOutcome(events: [.head(head), .request(head, body: body[...])]))
    }
}
