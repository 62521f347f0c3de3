/// A pull reader over UTF-8 JSON text that materializes only what its caller asks for.
///
/// Every value the caller skips is still checked against RFC 8259, so a document that reads to
/// its end is valid JSON. The reader borrows its bytes: use it inside `withUnsafeBytes`.
///
///     try reader.beginObject()
///     while let key = try reader.nextKey() {
///         if key == "uid" { uid = try reader.readString() } else { try reader.skipValue() }
///     }
public struct JSONReader {
    /// Deepest nesting accepted; kube-apiserver objects are far shallower.
    public static let maximumDepth = 256

    /// The text's first byte, never nil (an empty text borrows a static address it never reads),
    /// so that no read of the text checks for nil: measured with callgrind, two instructions of
    /// every whitespace check and string word while skipping.
    private let base: UnsafeRawPointer
    private let count: Int
    /// The text.
    @inline(__always)
    private var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    /// Offset of the next unread byte.
    public private(set) var offset: Int
    private var depth = 0
    /// Whether the innermost open container has just been opened (so no `,` comes before its
    /// next element). Once a container is left, its parent has had an element, so one flag is
    /// enough for every depth.
    private var justOpened = false

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.base = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
        self.count = bytes.count
        self.offset = 0
    }

    // MARK: Containers

    /// Consumes `{`.
    @inline(__always)
    public mutating func beginObject() throws(JSONError) {
        try expect(UInt8(ascii: "{"), "expected an object")
        try enter()
    }

    /// The next member's key (its `:` consumed), or nil after consuming the closing `}`. On a local
    /// cursor written back once, as in `skipValue` (measured with callgrind with the base address:
    /// 9.9k -> 6.5k instructions for the bench review's members).
    @inline(__always)
    public mutating func nextKey() throws(JSONError) -> JSONKey? {
        var index = offset
        // A token that follows at once costs one bounds check, as in `peekKind`.
        if index >= count || bytes[index] <= 0x20 {
            index = whitespaceEnd(from: index)
            guard index < count else { throw error("unterminated object", at: index) }
        }
        if bytes[index] == UInt8(ascii: "}") {
            offset = index + 1
            leave()
            return nil
        }
        if !justOpened {
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or '}'", at: index) }
            if let name = Self.token(after: UInt8(ascii: ","), in: bytes, at: index) {
                index = name
            } else {
                index = whitespaceEnd(from: index + 1)
                guard index < count else { throw error("expected a member name", at: index) }
            }
        }
        // `index` is inside the text here, checked once on each way (callgrind, planning-benchmark,
        // bench review: 55.9k -> 55.8k instructions per review).
        justOpened = false
        guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name", at: index) }
        let plainEnd = JSONStringScanner.endOfPlainBytes(bytes, from: index &+ 1, stoppingAt: .uncheckedOrSpace)
        if let value = Self.token(after: UInt8(ascii: ":"), closingQuoteAt: plainEnd, in: bytes) {
            offset = value
            return JSONKey(bytes: UnsafeRawBufferPointer(start: base + (index &+ 1), count: plainEnd &- index &- 1), hasEscapes: false)
        }
        let scan = try scanString(openingQuoteAt: index)
        let key = key(openingQuoteAt: index, scan)
        // The value's first byte when one load finds it (whatever reads the value skips the same
        // whitespace first).
        if let value = Self.token(after: UInt8(ascii: ":"), in: bytes, at: scan.end) {
            offset = value
            return key
        }
        index = whitespaceEnd(from: scan.end)
        guard index < count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'", at: index) }
        offset = index + 1
        return key
    }

    /// Consumes `[`.
    @inline(__always)
    public mutating func beginArray() throws(JSONError) {
        try expect(UInt8(ascii: "["), "expected an array")
        try enter()
    }

    /// True when another element follows (its `,` consumed); false after consuming the closing `]`.
    @inline(__always)
    public mutating func nextElement() throws(JSONError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unterminated array") }
        if bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            leave()
            return false
        }
        if !justOpened {
            try expect(UInt8(ascii: ","), "expected ',' or ']'")
        }
        justOpened = false
        return true
    }

    // MARK: Scalars

    /// What kind of value comes next, without consuming it.
    @inline(__always)
    public mutating func peekKind() throws(JSONError) -> JSONKind {
        // A token that follows at once costs one bounds check, where `whitespaceEnd` and this
        // check made two (measured with callgrind, `serve`, bench review, with `nextKey`'s:
        // serve_instr12 85.57k -> 85.14k instructions per request).
        if offset >= count || bytes[offset] <= 0x20 {
            skipWhitespace()
            guard offset < count else { throw error("unexpected end of input") }
        }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character")
        }
    }

    /// Reads a string value.
    public mutating func readString() throws(JSONError) -> String {
        try readStringKey().string
    }

    /// Reads a string value without decoding it, to compare it with known names (or decode it
    /// later) without allocating.
    @inline(__always)
    public mutating func readStringKey() throws(JSONError) -> JSONKey {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a string") }
        let quote = offset
        let scan = try scanString(openingQuoteAt: quote)
        offset = scan.end
        return key(openingQuoteAt: quote, scan)
    }

    /// Reads a string value, or nil for `null`.
    public mutating func readOptionalString() throws(JSONError) -> String? {
        if try peekKind() == .null {
            try skipValue()
            return nil
        }
        return try readString()
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws(JSONError) -> Bool {
        skipWhitespace()
        switch JSONScalarScanner.literal(bytes, at: offset) {
        case .true:
            offset += 4
            return true
        case .false:
            offset += 5
            return false
        case .null, nil:
            throw error("expected a boolean")
        }
    }

    /// Reads a number's literal text.
    public mutating func readNumberLiteral() throws(JSONError) -> String {
        skipWhitespace()
        let start = offset
        let scan = JSONScalarScanner.scanNumber(bytes, from: start)
        offset = scan.end
        if let failure = scan.failure { throw error(failure.message) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// Consumes the next value, whatever it is, checking its syntax: most of a pod is skipped, and
    /// its cost is per token. `JSONSkipFastPath` finds the end of a valid value; when it answers
    /// nil (invalid JSON, or more than 63 containers open), and within 63 containers of the depth
    /// limit, `skipValueReportingErrors` skips the value instead and names the error and its
    /// offset (measured with callgrind on the 3.8 KB bench review: skipping 21.3k -> 18.6k
    /// instructions with the fast path alone, 17.7k with the one-space whitespace check and the
    /// sign-bit test for a full stack).
    public mutating func skipValue() throws(JSONError) {
        // Within 63 containers of the depth limit, the exact path counts them.
        if depth <= Self.maximumDepth - JSONSkipFastPath.maximumOpen,
           let end = JSONSkipFastPath.end(ofValueAt: offset, in: base, count: count) {
            offset = end
            justOpened = false
            return
        }
        try skipValueReportingErrors()
    }

    /// `skipValue` for a value the fast path did not take: one loop over the bytes with a stack of
    /// open containers instead of a call per token, on a local cursor written back once, naming the
    /// first error and its offset. The innermost container's kind is the stack's lowest bit, and an
    /// empty container is never pushed (measured before the fast path, bench review: 40.8k -> 37.0k
    /// instructions for a call per token -> one loop; 27.0k -> 21.3k with this stack, the reader's
    /// non-nil base address and the scanner's unchecked word loop).
    @inline(never)
    private mutating func skipValueReportingErrors() throws(JSONError) {
        var open = ContainerStack()
        let count = bytes.count
        var index = offset
        var needsName = false
        nextValue: while true {
            if needsName {
                // `"name" :` before a member's value.
                index = whitespaceEnd(from: index)
                guard index < count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name", at: index) }
                index = whitespaceEnd(from: try scanString(openingQuoteAt: index).end)
                guard index < count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'", at: index) }
                index += 1
            }
            index = whitespaceEnd(from: index)
            guard index < count else { throw error("unexpected end of input", at: index) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index = try scanString(openingQuoteAt: index).end
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                index += 1
                guard depth + open.count < Self.maximumDepth else {
                    throw error("nesting deeper than \(Self.maximumDepth)", at: index)
                }
                let isObject = byte == UInt8(ascii: "{")
                index = whitespaceEnd(from: index)
                if index < count, bytes[index] == byte &+ 2 {
                    // `{}` or `[]` (`}` and `]` follow their openers by two in ASCII).
                    index += 1
                } else {
                    open.push(isObject: isObject)
                    needsName = isObject
                    continue nextValue
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                // The literal's first byte is `byte`: `t` can only start `true`.
                guard let literal = JSONScalarScanner.literal(bytes, at: index) else {
                    throw error(byte == UInt8(ascii: "n") ? "expected null" : "expected a boolean", at: index)
                }
                index += literal.count
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let number = JSONScalarScanner.scanNumber(bytes, from: index)
                if let failure = number.failure { throw error(failure.message, at: number.end) }
                index = number.end
            default:
                throw error("unexpected character", at: index)
            }
            // After a value: close containers, or go on to the next element.
            while open.count > 0 {
                let isObject = open.innermostIsObject
                index = whitespaceEnd(from: index)
                guard index < count else { throw error(isObject ? "unterminated object" : "unterminated array", at: index) }
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    index += 1
                    needsName = isObject
                    continue nextValue
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: index)
                }
                index += 1
                open.pop()
            }
            justOpened = false
            offset = index
            return
        }
    }

    /// Checks that only whitespace remains.
    public mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        guard offset == bytes.count else { throw error("unexpected data after the document") }
    }

    /// Fails with `message` at the current offset.
    public func error(_ message: String) -> JSONError {
        JSONError(offset: offset, message: message)
    }

    /// Fails with `message` at `position`, which becomes the reader's offset.
    private mutating func error(_ message: String, at position: Int) -> JSONError {
        offset = position
        return error(message)
    }

    // MARK: Lexing

    @inline(__always)
    private mutating func enter() throws(JSONError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        justOpened = true
    }

    @inline(__always)
    private mutating func leave() {
        depth -= 1
        justOpened = false
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        offset = whitespaceEnd(from: offset)
    }

    /// The first index at or after `start` that is not JSON whitespace.
    @inline(__always)
    private func whitespaceEnd(from start: Int) -> Int {
        Self.whitespaceEnd(bytes, from: start)
    }

    /// The first index at or after `start` in `bytes` that is not JSON whitespace. Compact JSON has
    /// none between tokens, JSON written with `": "` and `", "` one space: both are found without
    /// the loop (measured with callgrind on the bench review, written the second way: decoding
    /// 46.4k -> 45.4k instructions).
    @inline(__always)
    static func whitespaceEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, loopsInline: Bool = false) -> Int {
        guard start < bytes.count, bytes[start] <= 0x20 else { return start }
        if bytes[start] == 0x20, start + 1 < bytes.count, bytes[start + 1] > 0x20 { return start + 1 }
        return loopsInline ? whitespaceRunEnd(bytes, from: start) : calledWhitespaceRunEnd(bytes, from: start)
    }

    /// `whitespaceEnd` for more than one space, called rather than inlined by default: inlined,
    /// its loop's constant kept a register of the reader's methods (measured with callgrind,
    /// `serve`, bench review: `nextKey` 5.34k -> 4.68k instructions per request). The skipper's
    /// loop inlines it (called, it spilled around the call: `skipValue` 15.38k -> 15.55k).
    @inline(never)
    private static func calledWhitespaceRunEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        whitespaceRunEnd(bytes, from: start)
    }

    @inline(__always)
    private static func whitespaceRunEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// Where the token after `separator` starts, when one load shows it: `separator` at `index`,
    /// then no whitespace (compact JSON) or one space (JSON written with `": "` and `", "`), then
    /// a byte that is not whitespace. Nil otherwise, and the caller takes the general path.
    @inline(__always)
    static func token(after separator: UInt8, in bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        guard index &+ 4 <= bytes.count else { return nil }
        let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        // Subtracting the expected bytes, 0x21 for the token's, leaves zero bytes where they match
        // and borrows into the top byte when the token's is whitespace (0x20 or below): one test
        // each (measured with callgrind, planning-benchmark, bench review: 59.5k -> 58.6k
        // instructions per review with the skipper's and `nextKey`'s use of it).
        if ((word & 0xFF_FFFF) &- (0x21_2000 | UInt32(separator))) & 0xFF00_FFFF == 0 { return index &+ 2 }
        if ((word & 0xFFFF) &- (0x2100 | UInt32(separator))) & 0xFFFF_00FF == 0 { return index &+ 1 }
        return nil
    }

    /// Where the token after a string and `separator` starts, when one load shows it: `index` at
    /// the string's closing quote, then `separator` and the token's first byte with no whitespace
    /// or one space between (`"name": value`). Nil otherwise, and the caller takes the general
    /// path. `nextKey` and the skipper's fast path take it for a name with no byte that needs
    /// attention, where they scanned the name and then looked for the `:` (measured with
    /// callgrind, `serve`, bench review: `nextKey` 6.04k -> 5.45k, `skipValue` 16.17k -> 15.69k,
    /// serve_instr12 87.6k -> 86.3k instructions per request).
    @inline(__always)
    static func token(after separator: UInt8, closingQuoteAt index: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard index &+ 4 <= bytes.count else { return nil }
        let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        let quoteAndSeparator = UInt32(UInt8(ascii: "\"")) | UInt32(separator) << 8
        // Subtracting the expected bytes, 0x21 for the token's, leaves zero bytes where they
        // match, and the token's byte without its top bit when it is above whitespace (and ASCII,
        // as the first byte of every token is).
        if (word &- (0x2120_0000 | quoteAndSeparator)) & 0x80FF_FFFF == 0 { return index &+ 3 }
        if ((word & 0xFF_FFFF) &- (0x21_0000 | quoteAndSeparator)) & 0x80_FFFF == 0 { return index &+ 2 }
        return nil
    }

    @inline(__always)
    private mutating func expect(_ byte: UInt8, _ message: StaticString) throws(JSONError) {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { throw error(message.description) }
        offset += 1
    }

    /// Scans the string whose opening quote is at `quote`, checking escapes, control characters and
    /// UTF-8.
    @inline(__always)
    private mutating func scanString(openingQuoteAt quote: Int) throws(JSONError) -> JSONStringScanner.Scan {
        let scan = JSONStringScanner.scan(bytes, openingQuoteAt: quote)
        if let failure = scan.failure { throw error(failure.message, at: scan.end) }
        return scan
    }

    /// The raw text of the string `scan` found from the opening quote at `quote`. Wrapping
    /// arithmetic: both ends are inside the text, so nothing can overflow, and no member name or
    /// string read pays two overflow checks (measured with callgrind on the bench review: decoding
    /// 45.4k -> 45.0k instructions).
    @inline(__always)
    private func key(openingQuoteAt quote: Int, _ scan: JSONStringScanner.Scan) -> JSONKey {
        JSONKey(bytes: UnsafeRawBufferPointer(start: base + (quote &+ 1), count: scan.end &- quote &- 2), hasEscapes: scan.hasEscapes)
    }
}

/// Which containers `skipValueReportingErrors` has open, innermost last: one bit each (object or array), as
/// many as `JSONReader.maximumDepth` allows. The innermost 64 are a shift register whose lowest
/// bit is the innermost container, so the test after every value is one `and`; deeper ones are
/// shifted into `older` (kube-apiserver objects are never that deep).
private struct ContainerStack {
    private var recent: UInt64 = 0
    private var older: (UInt64, UInt64, UInt64) = (0, 0, 0)
    /// How many containers are open.
    private(set) var count = 0

    /// Whether the innermost container is an object; only when one is open.
    @inline(__always)
    var innermostIsObject: Bool { recent & 1 == 1 }

    @inline(__always)
    mutating func push(isObject: Bool) {
        if count >= 64 {
            older = (older.0 << 1 | recent >> 63, older.1 << 1 | older.0 >> 63, older.2 << 1 | older.1 >> 63)
        }
        recent = recent << 1 | (isObject ? 1 : 0)
        count += 1
    }

    @inline(__always)
    mutating func pop() {
        count -= 1
        recent >>= 1
        if count >= 64 {
            recent |= older.0 << 63
            older = (older.0 >> 1 | older.1 << 63, older.1 >> 1 | older.2 << 63, older.2 >> 1)
        }
    }
}

/// The type of the next JSON value.
public enum JSONKind: Sendable {
    case object, array, string, number, bool, null
}
