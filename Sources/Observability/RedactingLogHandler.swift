public import Logging

/// Wraps another handler so that sensitive metadata values (see `LogRedaction`) never reach it.
///
/// Redaction happens as metadata comes in: handler metadata when set, provider metadata when read,
/// event metadata when logged.
public struct RedactingLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped

    /// Wraps `wrapped`, redacting the metadata it already holds.
    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
        self.wrapped.metadata = LogRedaction.redact(wrapped.metadata)
        self.metadataProvider = wrapped.metadataProvider
    }

    /// The wrapped handler's minimum level.
    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    /// The wrapped handler's metadata, stored redacted.
    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = LogRedaction.redact(newValue) }
    }

    /// The wrapped handler's provider, its output redacted.
    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set {
            wrapped.metadataProvider = newValue.map { provider in
                Logger.MetadataProvider { LogRedaction.redact(provider.get()) }
            }
        }
    }

    /// One metadata value, stored redacted.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map { LogRedaction.redact($0, at: key) } }
    }

    /// Logs `event` through the wrapped handler with its metadata redacted.
    public func log(event: LogEvent) {
        var event = event
        event.metadata = event.metadata.map { LogRedaction.redact($0) }
        wrapped.log(event: event)
    }
}
