import Testing
@testable import Observability

@Suite struct RFC3339TimestampTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(RFC3339Timestamp.format(secondsSince1970: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339Timestamp.format(secondsSince1970: 1_700_000_000, milliseconds: 7) == "2023-11-14T22:13:20.007Z")
        #expect(RFC3339Timestamp.format(secondsSince1970: 951_825_599, milliseconds: 999) == "2000-02-29T11:59:59.999Z")
    }

    @Test func nowHasTheRFC3339Shape() {
        let now = RFC3339Timestamp.now()
        #expect(now.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
    }
}
