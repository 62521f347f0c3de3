/// An RFC 6901 JSON Pointer, such as `/metadata/labels/app.kubernetes.io~1name`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens.
    public private(set) var tokens: [String]

    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    /// Parses the escaped text form; fails unless it is empty or starts with `/`.
    public init?(parsing text: String) {
        guard !text.isEmpty else { self.init(); return }
        guard text.hasPrefix("/") else { return nil }
        self.init(text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            Self.unescape(String($0))
        })
    }

    /// This pointer with one more token.
    public func appending(_ token: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(token)
        return copy
    }

    /// The escaped text form: `~` as `~0`, `/` as `~1`.
    public var description: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }

    /// Escapes one reference token.
    public static func escape(_ token: String) -> String {
        guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func unescape(_ token: String) -> String {
        guard token.contains("~") else { return token }
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
