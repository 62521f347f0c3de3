import HTTP1
import HTTPTypes
import Testing

/// Request shapes used for request smuggling and desynchronisation: each must be refused, never guessed.
@Suite struct HTTP1RequestParserSmugglingTests {
    static let prefix = "POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\n"

    @Test(arguments: [
        ("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400),
        ("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
        ("Content-Length: 5\r\nTransfer-Encoding: gzip\r\n", 400),
        ("Content-Length: 5\r\nContent-Length: 6\r\n", 400),
        ("Content-Length: 5, 6\r\n", 400),
        ("Content-Length: 5,\r\n", 400),
        ("Content-Length:\r\n", 400),
        ("Content-Length: -1\r\n", 400),
        ("Content-Length: +5\r\n", 400),
        ("Content-Length: 0x10\r\n", 400),
        ("Content-Length: 5 5\r\n", 400),
        ("Content-Length: 1e3\r\n", 400),
        ("Content-Length: 99999999999999999999\r\n", 400),
        ("Content-Length : 5\r\n", 400),
        ("Transfer-Encoding : chunked\r\n", 400),
        ("Transfer-Encoding: chunked, identity\r\n", 400),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", 400),
        ("Transfer-Encoding: chunked, chunked\r\n", 400),
        ("Transfer-Encoding: chunked,\r\n", 400),
        ("Transfer-Encoding: \r\n", 400),
        ("Transfer-Encoding: gzip, chunked\r\n", 501),
        ("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", 501),
        ("Transfer-Encoding: identity\r\n", 501),
        ("Transfer-Encoding: chunked;q=1\r\n", 501),
        ("X-Folded: a\r\n b\r\n", 400),
        ("X-Folded: a\r\n\tb\r\n", 400),
        ("X-Nul: a\u{0}b\r\n", 400),
        ("X-\u{0}Nul: a\r\n", 400),
        ("X-Bare-LF: a\nContent-Length: 5\r\n", 400),
        ("X-Bare-CR: a\rContent-Length: 5\r\n", 400),
        ("X-Vertical-Tab: a\u{0b}\r\n", 400),
    ])
    func refused(fields: String, status: Int) {
        #expect(refusal(Self.prefix + fields + "\r\n0\r\n\r\n") == status)
    }

    @Test func transferEncodingIsRefusedInHTTP10() {
        #expect(refusal("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 400)
    }

    @Test func bareLFLineEndingsAreRefused() {
        #expect(refusal("GET / HTTP/1.1\nHost: a\n\n") == 400)
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\n\r\n") == 400)
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\n\n") == 400)
        #expect(refusal("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
    }

    @Test(arguments: ["Content-Length: 5\r\nContent-Length: 5\r\n", "Content-Length: 5, 5\r\n", "content-length:\t5 \r\n"])
    func identicalContentLengthsAreOneLength(fields: String) {
        let outcome = HTTP1ParserVerifier.verify(wire(Self.prefix + fields + "\r\nhelloGET"))
        guard case .request(_, let body) = outcome.events.last else {
            Issue.record("no request: \(outcome)")
            return
        }
        #expect(body == wire("hello")[...])
        #expect(outcome.events.count == 2)
        #expect(!outcome.isIdle)  // "GET" waits as the start of the next request
    }

    @Test func chunkedIsMatchedCaseInsensitively() {
        let head = makeHead(fields: [.transferEncoding: "Chunked"])
        #expect(
            HTTP1ParserVerifier.verify(wire(Self.prefix + "Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
                == ParseOutcome(events: [.head(head), .request(head, body: wire("abc")[...])]))
    }

    @Test func aSecondRequestHiddenInABodyIsOnlyBody() {
        let hidden = "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
        let input = wire(Self.prefix + "Content-Length: \(hidden.utf8.count)\r\n\r\n" + hidden)
        let outcome = HTTP1ParserVerifier.verify(input)
        #expect(outcome.events.count == 2)
        #expect(outcome.events.last.map { if case .request(_, let body) = $0 { body == wire(hidden)[...] } else { false } } == true)
    }
}
