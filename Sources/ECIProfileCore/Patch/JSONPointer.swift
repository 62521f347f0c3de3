/// An RFC 6901 JSON Pointer, such as `/metadata/labels/app.kubernetes.io~1name`.
///
/// Maintainers' note: the pointer keeps its escaped text, the form a patch carries, so writing a
/// patch copies it instead of escaping every token of every operation again.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The escaped text form: `~` as `~0`, `/` as `~1`. Escaping is one-to-one, so equal texts
    /// mean equal tokens.
    public let description: String

    public init(_ tokens: [String] = []) {
        description = tokens.map { "/" + Self.escape($0) }.joined()
    }

    /// Parses the escaped text form; fails unless it is empty or starts with `/`.
    public init?(parsing text: String) {
        guard !text.isEmpty else { self.init(); return }
        guard text.hasPrefix("/") else { return nil }
        // Without a `~`, the text is already its escaped form: the CLI reads every patch the planner
        // writes back this way, and splitting and joining its tokens cost most of that.
        guard text.utf8.contains(UInt8(ascii: "~")) else {
            self.init(escaped: text)
            return
        }
        self.init(Self.tokens(of: text))
    }

    /// The unescaped reference tokens.
    public var tokens: [String] {
        Self.tokens(of: description)
    }

    /// This pointer with one more token.
    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(escaped: description + "/" + Self.escape(token))
    }

    private init(escaped: String) {
        description = escaped
    }

    /// Escapes one reference token.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(token.utf8.count + 4)
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "~"): escaped += [UInt8(ascii: "~"), UInt8(ascii: "0")]
            case UInt8(ascii: "/"): escaped += [UInt8(ascii: "~"), UInt8(ascii: "1")]
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// The unescaped tokens of a text form that is empty or starts with `/`.
    private static func tokens(of text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { unescape(String($0)) }
    }

    /// Reverses `escape`: `~1` first becomes `/`, then `~0` becomes `~` (RFC 6901 §4).
    private static func unescape(_ token: String) -> String {
        guard token.utf8.contains(UInt8(ascii: "~")) else { return token }
        var bytes: [UInt8] = []
        var iterator = token.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "~") else {
                bytes.append(byte)
                continue
            }
            switch iterator.next() {
            case UInt8(ascii: "0"): bytes.append(UInt8(ascii: "~"))
            case UInt8(ascii: "1"): bytes.append(UInt8(ascii: "/"))
            case let other?: bytes += [byte, other]
            case nil: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
