import HTTP1
import HTTPTypes
import Testing

/// A parser reuses the previous head when the next differs only in its Content-Length digits; every
/// request must still come out exactly as a fresh parser reports it alone.
@Suite struct HTTP1HeadMemoTests {
    static let head = "POST /mutate?timeout=10s HTTP/1.1\r\nHost: webhook.svc\r\nUser-Agent: kube-apiserver-admission\r\n"

    /// A request with `head`, the Content-Length line `contentLength` and `body`.
    static func request(_ contentLength: String, body: String, head: String = head, after: String = "Accept: */*\r\n") -> String {
        head + "Content-Length: " + contentLength + "\r\n" + after + "\r\n" + body
    }

    /// Checks that one parser fed `requests` back to back reports what fresh parsers report for each
    /// alone, up to and including the first refusal.
    static func expectSameAsFresh(_ requests: [String], limits: HTTP1ParserLimits = HTTP1ParserLimits(), sourceLocation: SourceLocation = #_sourceLocation) {
        var expected = ParseOutcome()
        for request in requests {
            let alone = HTTP1ParserVerifier.parse([wire(request)[...]], limits: limits)
            expected.events += alone.events
            expected.isIdle = alone.isIdle
            if let error = alone.error {
                expected.error = error
                break
            }
        }
        let together = HTTP1ParserVerifier.verify(wire(requests.joined()), limits: limits, sourceLocation: sourceLocation)
        #expect(together == expected, sourceLocation: sourceLocation)
    }

    @Test func lengthsOfOtherDigitCountsAndZero() {
        Self.expectSameAsFresh([
            Self.request("9", body: "123456789"), Self.request("10", body: "0123456789"), Self.request("0", body: ""),
            Self.request("3", body: "abc"), Self.request("007", body: "1234567"),
        ])
    }

    @Test func repeatedAndReturningLengths() {
        Self.expectSameAsFresh([
            Self.request("3", body: "abc"), Self.request("3", body: "def"), Self.request("4", body: "ghij"),
            Self.request("4", body: "klmn"), Self.request("3", body: "opq"), Self.request("03", body: "rst"),
            Self.request("3", body: "uvw"), Self.request("3", body: "xyz"),
        ])
    }

    @Test func theNewLengthIsCheckedAgainstTheLimit() {
        let limits = HTTP1ParserLimits(maxBodyBytes: 8)
        Self.expectSameAsFresh([Self.request("8", body: "12345678"), Self.request("9", body: "123456789")], limits: limits)
    }

    @Test func aDifferentFieldOrTargetIsParsedInFull() {
        Self.expectSameAsFresh([
            Self.request("3", body: "abc"), Self.request("3", body: "abc", after: "Accept: text/plain\r\n"),
            Self.request("2", body: "de", after: "Connection: close\r\n"),
        ])
        Self.expectSameAsFresh([
            Self.request("3", body: "abc"),
            Self.request("3", body: "abc", head: "POST /mutatf?timeout=10s HTTP/1.1\r\nHost: webhook.svc\r\nUser-Agent: kube-apiserver-admission\r\n"),
        ])
    }

    @Test func aValueThatIsNoLongerOnlyDigitsIsRefused() {
        Self.expectSameAsFresh([Self.request("3", body: "abc"), Self.request("3x", body: "abc")])
        Self.expectSameAsFresh([Self.request("3", body: "abc"), Self.request("3, 3", body: "abc")])
        Self.expectSameAsFresh([Self.request("3", body: "abc"), Self.request("", body: "")])
    }

    @Test func listsWhitespaceAndExpectationsAreParsedInFull() {
        Self.expectSameAsFresh([Self.request("3, 3", body: "abc"), Self.request("2, 2", body: "de")])
        Self.expectSameAsFresh([Self.request("3 \t", body: "abc"), Self.request("12 \t", body: "123456789012")])
        let expecting = Self.head + "Expect: 100-continue\r\n"
        Self.expectSameAsFresh([
            Self.request("3", body: "abc", head: expecting), Self.request("0", body: "", head: expecting),
            Self.request("2", body: "de", head: expecting),
        ])
    }

    @Test func chunkedAndBodilessRequestsInBetween() {
        Self.expectSameAsFresh([
            Self.request("3", body: "abc"),
            "POST /mutate HTTP/1.1\r\nHost: webhook.svc\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n",
            "GET /readyz HTTP/1.1\r\nHost: webhook.svc\r\n\r\n",
            Self.request("4", body: "abcd"),
        ])
    }
}
