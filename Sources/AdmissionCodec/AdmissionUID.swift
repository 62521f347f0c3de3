public import ECIProfileCore

/// A request's uid, which the response echoes.
///
/// Maintainers' note: Kubernetes uids are 36-byte UUIDs. One read from a review without escapes is
/// kept in the value itself (up to `inlineCapacity` bytes) rather than in a `String`, which past 15
/// bytes is an allocation per request; its bytes, checked by the reader, are written back as they
/// are, without an escape scan. Measured with callgrind (`serve`, bench review, per request):
/// decode -225, review -190, encode -350 and destroying the request -220 instructions.
public struct AdmissionUID: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    private enum Storage: Sendable {
        /// `count` bytes of JSON string text that needs no escape, in `words`.
        case inline(words: InlineWords, count: Int)
        case string(String)
    }

    private typealias InlineWords = (UInt64, UInt64, UInt64, UInt64, UInt64)
    static let inlineCapacity = MemoryLayout<InlineWords>.size

    private let storage: Storage

    public init(_ string: String) {
        storage = .string(string)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Reads a uid, a JSON string, from `reader`.
    public init(reading reader: inout JSONReader) throws(JSONError) {
        let key = try reader.readStringKey()
        guard let bytes = key.plainBytes, bytes.count <= Self.inlineCapacity else {
            storage = .string(key.string)
            return
        }
        var words: InlineWords = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        storage = .inline(words: words, count: bytes.count)
    }

    /// The uid's UTF-8.
    public func withUTF8<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch storage {
        case .inline(var words, let count):
            return withUnsafeBytes(of: &words) { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        case .string(var string):
            return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }

    /// The number of UTF-8 bytes.
    public var utf8Count: Int {
        switch storage {
        case .inline(_, let count): count
        case .string(let string): string.utf8.count
        }
    }

    public var isEmpty: Bool { utf8Count == 0 }

    public var description: String {
        switch storage {
        case .inline: withUTF8 { String(decoding: $0, as: UTF8.self) }
        case .string(let string): string
        }
    }

    /// The bytes the uid takes in JSON, quotes included, when it needs no escape.
    var plainCount: Int { utf8Count + 2 }

    /// The room its escapes may take beyond `plainCount` (see `JSONCursor.escapeRoom(for:)`).
    var escapeRoom: Int {
        switch storage {
        case .inline: 0
        case .string(let string): JSONCursor.escapeRoom(for: string)
        }
    }

    /// Writes the uid's JSON string text, without the quotes.
    func writeUnquoted(to writer: inout JSONCursor) {
        switch storage {
        case .inline: withUTF8 { writer.writeRaw($0) }
        case .string(let string): writer.writeUnquoted(string)
        }
    }

    public static func == (lhs: AdmissionUID, rhs: AdmissionUID) -> Bool {
        lhs.withUTF8 { left in rhs.withUTF8 { right in left.elementsEqual(right) } }
    }
}
