public import Logging

/// A swift-log handler writing one JSON object per line.
///
/// Fields, in order: `ts` (RFC 3339 UTC with milliseconds), `level`, `msg`, `logger` (the label),
/// `error` when the event carries one, then the metadata sorted by key with every value as a string
/// (nested dictionaries flattened to dotted keys, so `admission.uid` stays `admission.uid`), and, only when
/// the handler's level is `debug` or `trace`, `source`, `file` and `line`. Metadata keys that collide
/// with those field names are prefixed with `metadata.`. Sensitive values are redacted (`LogRedaction`).
public struct JSONLogHandler: LogHandler {
    /// The field names the handler writes itself.
    static let reservedFields: Set<String> = ["ts", "level", "msg", "logger", "error", "source", "file", "line"]

    /// The minimum level logged.
    public var logLevel: Logger.Level
    /// Metadata added to every line of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Metadata read at each log call (e.g. from task-locals).
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let sink: any LogSink

    /// A handler for logger `label` writing to `sink` (standard error by default).
    public init(
        label: String, level: Logger.Level = .info, sink: any LogSink = FileDescriptorLogSink.standardError,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    /// Handler metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one line.
    public func log(event: LogEvent) {
        var line = JSONLogLine()
        line.append("ts", RFC3339Timestamp.now())
        line.append("level", event.level.rawValue)
        line.append("msg", event.message.description)
        line.append("logger", label)
        if let error = event.error {
            line.append("error", String(describing: error))
        }
        for (key, value) in flattenedMetadata(event.metadata) {
            line.append(Self.reservedFields.contains(key) ? "metadata." + key : key, value)
        }
        if logLevel <= .debug {
            line.append("source", event.source)
            line.append("file", event.file)
            line.append("line", event.line)
        }
        sink.write(line: line.finish())
    }

    /// Handler, provider and event metadata (later ones win), flattened, redacted and sorted by key.
    private func flattenedMetadata(_ eventMetadata: Logger.Metadata?) -> [(String, String)] {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let eventMetadata {
            merged.merge(eventMetadata) { _, new in new }
        }
        var fields: [(String, String)] = []
        Self.flatten(LogRedaction.redact(merged), prefix: "", into: &fields)
        return fields.sorted { $0.0 < $1.0 }
    }

    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [(String, String)]) {
        for (key, value) in metadata {
            let path = prefix + key
            switch value {
            case .dictionary(let nested): flatten(nested, prefix: path + ".", into: &fields)
            case .string(let string): fields.append((path, string))
            default: fields.append((path, value.description))
            }
        }
    }
}
