public import Logging

/// The rule that keeps credentials out of logs.
///
/// A metadata value is replaced by `[redacted]` when its key, compared case-insensitively, contains
/// `token`, `password`, `secret` or `key` (as in private key). For nested metadata the whole dotted path
/// counts, so everything under a `secret` dictionary is hidden. The rule is deliberately broad: a key such
/// as `tls.keyFile` is redacted too, so name metadata that is safe to log without these words.
public enum LogRedaction {
    /// What a sensitive value is logged as.
    public static let placeholder = "[redacted]"

    /// The words that mark a key as sensitive.
    public static let sensitiveWords = ["token", "password", "secret", "key"]

    /// Whether the value of metadata key `key` must not be logged.
    public static func isSensitive(_ key: String) -> Bool {
        let lowercased = key.lowercased()
        return sensitiveWords.contains { lowercased.contains($0) }
    }

    /// `metadata` with every sensitive value, at any depth, replaced by the placeholder.
    public static func redact(_ metadata: Logger.Metadata, under prefix: String = "") -> Logger.Metadata {
        metadata.reduce(into: [:]) { redacted, entry in
            redacted[entry.key] = redact(entry.value, at: prefix + entry.key)
        }
    }

    /// `value`, found at dotted path `path`, with every sensitive part replaced by the placeholder.
    public static func redact(_ value: Logger.MetadataValue, at path: String) -> Logger.MetadataValue {
        if isSensitive(path) { return .string(placeholder) }
        switch value {
        case .dictionary(let nested): return .dictionary(redact(nested, under: path + "."))
        case .array(let items): return .array(items.map { redact($0, at: path) })
        case .string, .stringConvertible: return value
        }
    }
}
