import Logging
import Observability
import Testing

@Suite struct LogFormatTests {
    @Test func parsesFromTheFlagValues() {
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "text") == .text)
        #expect(LogFormat(rawValue: "yaml") == nil)
    }

    @Test func makesTheMatchingHandlerAtTheGivenLevel() {
        let json = LogFormat.json.makeHandler(label: "a", level: .debug)
        #expect(json is JSONLogHandler)
        #expect(json.logLevel == .debug)
        let text = LogFormat.text.makeHandler(label: "b", level: .warning)
        #expect(text is RedactingLogHandler<StreamLogHandler>)
        #expect(text.logLevel == .warning)
    }
}
