public import Logging

/// How log lines look: `json` for collectors, `text` for people.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (`JSONLogHandler`).
    case json
    /// swift-log's `StreamLogHandler` text, metadata redacted the same way.
    case text

    /// A handler for logger `label` writing to standard error, for `LoggingSystem.bootstrap`:
    /// `LoggingSystem.bootstrap { format.makeHandler(label: $0, level: level) }`.
    public func makeHandler(label: String, level: Logger.Level = .info) -> any LogHandler {
        switch self {
        case .json:
            return JSONLogHandler(label: label, level: level)
        case .text:
            var handler = RedactingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }
}
