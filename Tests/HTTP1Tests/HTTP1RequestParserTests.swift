import HTTP1
import HTTPTypes
import Testing

@Suite struct HTTP1RequestParserTests {
    /// An AdmissionReview-sized body (~3 KB).
    static let admissionBody = wire(
        #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5","object":{"# +
        String(repeating: #""k":"v","#, count: 480) + #""end":1}}}"#)

    @Test func kubeApiserverRequest() {
        let body = Self.admissionBody
        let input = wire(
            "POST /mutate?timeout=10s HTTP/1.1\r\nHost: eci-profile.kube-system.svc:443\r\n"
                + "User-Agent: kube-apiserver-admission\r\nContent-Length: \(body.count)\r\n"
                + "Accept: application/json, */*\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n")
            + body
        let head = makeHead(
            path: "/mutate?timeout=10s", authority: "eci-profile.kube-system.svc:443",
            fields: [
                .userAgent: "kube-apiserver-admission", .contentLength: "\(body.count)",
                .accept: "application/json, */*", .contentType: "application/json", .acceptEncoding: "gzip",
            ])
        let outcome = HTTP1ParserVerifier.verify(input)
        #expect(outcome == ParseOutcome(events: [.head(head), .request(head, body: body[...])], isIdle: true))
        guard case .request(let parsed, _) = outcome.events.last else { return }
        #expect(parsed.request.headerFields.map(\.name.rawName) == [
            "User-Agent", "Content-Length", "Accept", "Content-Type", "Accept-Encoding",
        ])
    }

    @Test func requestWithoutBodyHasEmptyBody() {
        let head = makeHead(.get, path: "/healthz", authority: "localhost")
        #expect(
            HTTP1ParserVerifier.verify(wire("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"))
                == ParseOutcome(events: [.head(head), .request(head, body: [])]))
    }

    @Test func emptyLinesBeforeRequestLineAreSkipped() {
        let head = makeHead(.get, path: "/", authority: "a")
        #expect(
            HTTP1ParserVerifier.verify(wire("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"))
                == ParseOutcome(events: [.head(head), .request(head, body: [])]))
    }

    @Test func fieldValuesLoseSurroundingWhitespaceOnly() {
        let head = makeHead(.get, path: "/", authority: "a", fields: [HTTPField.Name("X-Pad")!: "a\t b"])
        #expect(
            HTTP1ParserVerifier.verify(wire("GET / HTTP/1.1\r\nHost:a\r\nX-Pad: \t a\t b \t\r\n\r\n"))
                == ParseOutcome(events: [.head(head), .request(head, body: [])]))
    }

    @Test func fieldNamesKeepTheirSpellingAndObsTextValuesTheirBytes() {
        let input = wire("GET / HTTP/1.1\r\nHost: a\r\ncontent-TYPE: text/plain\r\nX-Latin1: caf") + [0xE9] + wire("\r\n\r\n")
        guard case .head(let head) = HTTP1ParserVerifier.verify(input).events.first else {
            Issue.record("no head")
            return
        }
        let fields = Array(head.request.headerFields)
        #expect(fields.map(\.name.rawName) == ["content-TYPE", "X-Latin1"])
        #expect(fields.first?.value == "text/plain")
        #expect(fields.last?.withUnsafeBytesOfValue { Array($0) } == wire("caf") + [0xE9])
    }

    @Test func http10WithoutHostHasNoAuthority() {
        let head = makeHead(.get, path: "/", authority: nil, keepAlive: false)
        #expect(
            HTTP1ParserVerifier.verify(wire("GET / HTTP/1.0\r\n\r\n"))
                == ParseOutcome(events: [.head(head), .request(head, body: [])]))
    }

    @Test(arguments: [
        ("HTTP/1.1", "", true),
        ("HTTP/1.1", "Connection: close\r\n", false),
        ("HTTP/1.1", "Connection: Keep-Alive, CLOSE\r\n", false),
        ("HTTP/1.1", "Connection: upgrade\r\nConnection: ,close\r\n", false),
        ("HTTP/1.1", "Connection: te, keep-alive\r\n", true),
        ("HTTP/1.0", "", false),
        ("HTTP/1.0", "Connection: keep-alive\r\n", true),
        ("HTTP/1.0", "Connection: foo,KEEP-ALIVE\r\n", true),
        ("HTTP/1.0", "Connection: keep-alive, close\r\n", false),
    ])
    func keepAlive(version: String, connection: String, expected: Bool) {
        let outcome = HTTP1ParserVerifier.verify(wire("GET / \(version)\r\nHost: a\r\n\(connection)\r\n"))
        guard case .head(let head) = outcome.events.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.keepAlive == expected)
        #expect(outcome.events.count == 2)
    }

    @Test func expectContinueIsReportedWithTheHead() throws {
        let input = wire("POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n{}")
        let head = makeHead(fields: [.expect: "100-Continue", .contentLength: "2"], expectsContinue: true)
        #expect(HTTP1ParserVerifier.verify(input) == ParseOutcome(events: [.head(head), .request(head, body: wire("{}")[...])]))

        // The head comes out before the body has been sent, so the caller can answer 100 Continue.
        var parser = HTTP1RequestParser()
        input.dropLast(2).withUnsafeBytes { parser.append($0) }
        #expect(try parser.next() == .head(head))
        #expect(try parser.next() == nil)
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",  // no body to wait for
        "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
        "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",  // ignored from HTTP/1.0
    ])
    func expectContinueWithoutBodyOrFromHTTP10IsNotReported(input: String) {
        guard case .head(let head) = HTTP1ParserVerifier.verify(wire(input)).events.first else {
            Issue.record("no head")
            return
        }
        #expect(!head.expectsContinue)
    }

    @Test func otherExpectationsAreRefusedWith417() {
        #expect(refusal("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx") == 417)
        #expect(refusal("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\n\r\n") == 417)
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let input = wire(
            "POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
                + "GET /readyz HTTP/1.1\r\nHost: webhook.svc\r\nConnection: close\r\n\r\n")
        let first = makeHead(fields: [.contentLength: "3"])
        let second = makeHead(fields: [.transferEncoding: "chunked"])
        let third = makeHead(.get, path: "/readyz", fields: [.connection: "close"], keepAlive: false)
        #expect(
            HTTP1ParserVerifier.verify(input)
                == ParseOutcome(events: [
                    .head(first), .request(first, body: wire("abc")[...]),
                    .head(second), .request(second, body: wire("de")[...]),
                    .head(third), .request(third, body: []),
                ]))
    }

    @Test func leftoverBytesWaitForTheNextRequest() throws {
        var parser = HTTP1RequestParser()
        #expect(parser.isIdle)
        wire("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HT").withUnsafeBytes { parser.append($0) }
        #expect(!parser.isIdle)
        let first = makeHead(.get, path: "/a", authority: "h")
        #expect(try parser.next() == .head(first))
        #expect(try parser.next() == .request(first, body: []))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
        wire("TP/1.1\r\nHost: h\r\n\r\n").withUnsafeBytes { parser.append($0) }
        let second = makeHead(.get, path: "/b", authority: "h")
        #expect(try parser.next() == .head(second))
        #expect(!parser.isIdle)  // head seen, request not yet taken
        #expect(try parser.next() == .request(second, body: []))
        #expect(parser.isIdle)
        #expect(try parser.next() == nil)
    }

    @Test func headIsEmittedOnceWhileTheBodyArrives() throws {
        var parser = HTTP1RequestParser()
        wire("POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nContent-Length: 4\r\n\r\nab").withUnsafeBytes { parser.append($0) }
        let head = makeHead(fields: [.contentLength: "4"])
        #expect(try parser.next() == .head(head))
        #expect(try parser.next() == nil)
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
        wire("cd").withUnsafeBytes { parser.append($0) }
        #expect(try parser.next() == .request(head, body: wire("abcd")[...]))
        #expect(parser.isIdle)
    }

    /// A body is a slice of the parser's buffer: one kept past the next requests (a deferred or
    /// large-request handler holds it) must not see the bytes the parser takes in after it.
    @Test func aKeptBodyIsUnchangedByLaterInput() throws {
        var parser = HTTP1RequestParser()
        let request = "POST /mutate HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n"
        wire(request + "abcd").withUnsafeBytes { parser.append($0) }
        _ = try parser.next()
        guard case .request(_, let kept) = try parser.next() else {
            Issue.record("no request")
            return
        }
        wire(request + "wxyz").withUnsafeBytes { parser.append($0) }
        _ = try parser.next()
        guard case .request(_, let next) = try parser.next() else {
            Issue.record("no second request")
            return
        }
        #expect(kept == wire("abcd")[...])
        #expect(next == wire("wxyz")[...])
    }

    @Test func parserStaysFailedAfterAnError() {
        var parser = HTTP1RequestParser()
        wire("GET / HTTP/1.1\r\n\r\n").withUnsafeBytes { parser.append($0) }
        let expected = HTTP1ParseError(status: .badRequest, reason: "missing Host field")
        #expect(throws: expected) { try parser.next() }
        wire("GET / HTTP/1.1\r\nHost: a\r\n\r\n").withUnsafeBytes { parser.append($0) }
        #expect(throws: expected) { try parser.next() }
        #expect(!parser.isIdle)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", 400),  // missing Host in HTTP/1.1
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
    ])
    func hostRules(input: String, status: Int) {
        #expect(refusal(input) == status)
    }

    @Test func hostWithPortAndIPLiteralIsTheAuthority() {
        let outcome = HTTP1ParserVerifier.verify(wire("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"))
        guard case .head(let head) = outcome.events.first else {
            Issue.record("no head")
            return
        }
        #expect(head.request.authority == "[::1]:8443")
        #expect(head.request.headerFields.isEmpty)
    }

    @Test(arguments: [
        ("POST https://webhook.example:9443/mutate?timeout=10s HTTP/1.1\r\nHost: ignored\r\n\r\n", "webhook.example:9443", "/mutate?timeout=10s"),
        ("GET HTTP://a HTTP/1.1\r\nHost: a\r\n\r\n", "a", "/"),
        ("GET http://a?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", "a", "/?q=1"),
    ])
    func absoluteFormTargetsAreAcceptedAndNameTheAuthority(input: String, authority: String, path: String) throws {
        var parser = HTTP1RequestParser()
        Array(input.utf8).withUnsafeBytes { parser.append($0) }
        guard case .head(let head)? = try parser.next() else {
            Issue.record("no head for \(input)")
            return
        }
        #expect(head.request.authority == authority)
        #expect(head.request.path == path)
    }

    @Test(arguments: [
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        ("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /\r\nHost: a\r\n\r\n", 400),
        ("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400),  // absolute-form without a host
        ("GET http://a b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http://a/b#c HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 400),  // asterisk-form
        ("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400),  // authority-form
        ("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/11\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
    ])
    func requestLineRules(input: String, status: Int) {
        #expect(refusal(input) == status)
    }

    @Test func targetKeepsQueryAndPercentEncoding() {
        let outcome = HTTP1ParserVerifier.verify(wire("DELETE /a/b%20c;p=1?x=1&y=@:/?$ HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(outcome.events.first == .head(makeHead(.delete, path: "/a/b%20c;p=1?x=1&y=@:/?$", authority: "a")))
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),  // whitespace before the first field
        ("GET / HTTP/1.1\r\nHost: a\r\nX: 1\u{7f}\r\n\r\n", 400),  // DEL
        ("GET / HTTP/1.1\r\nHost: a\r\nX: 1\u{01}\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: \u{1b}[31m\r\n\r\n", 400),
    ])
    func fieldLineRules(input: String, status: Int) {
        #expect(refusal(input) == status)
    }

    @Test func headerBlockOfExactlyTheLimitIsAccepted() {
        let limits = HTTP1ParserLimits()
        let prefix = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: "
        let fill = String(repeating: "f", count: limits.maxHeaderBytes - prefix.utf8.count - 4)
        let input = wire(prefix + fill + "\r\n\r\n")
        #expect(input.count == 65_536)
        let head = makeHead(.get, path: "/", authority: "a", fields: [HTTPField.Name("X-Fill")!: fill])
        #expect(HTTP1ParserVerifier.verify(input) == ParseOutcome(events: [.head(head), .request(head, body: [])]))
        #expect(HTTP1ParserVerifier.verify(wire(prefix + "f" + fill + "\r\n\r\n")).error?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func oversizedHeaderBlockIsRefusedBeforeItEnds() {
        var parser = HTTP1RequestParser()
        let input = wire("GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Many: header-value\r\n", count: 3_200))
        #expect(input.count > 65_536)
        input.withUnsafeBytes { parser.append($0) }
        #expect(throws: HTTP1ParseError(status: .requestHeaderFieldsTooLarge, reason: "header section too large")) {
            try parser.next()
        }
        #expect(HTTP1ParserVerifier.verify(input).error?.status.code == 431)
    }

    @Test func emptyLinesBeforeTheRequestCountAgainstTheHeaderLimit() {
        let limits = HTTP1ParserLimits(maxHeaderBytes: 40)
        #expect(refusal(String(repeating: "\r\n", count: 21), limits: limits) == 431)
        #expect(refusal(String(repeating: "\r\n", count: 6) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) == nil)
        #expect(refusal(String(repeating: "\r\n", count: 7) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) == 431)
    }
}
