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

    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    public private(set) var offset: Int
    private var depth = 0
    /// Whether the innermost open container has just been opened (so no `,` comes before its
    /// next element). Once a container is left, its parent has had an element, so one flag is
    /// enough for every depth.
    private var justOpened = false

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.offset = 0
    }

    // MARK: Containers

    /// Consumes `{`.
    @inline(__always)
    public mutating func beginObject() throws(JSONError) {
        try expect(UInt8(ascii: "{"), "expected an object")
        try enter()
    }

    /// The next member's key (its `:` consumed), or nil after consuming the closing `}`.
    @inline(__always)
    public mutating func nextKey() throws(JSONError) -> JSONKey? {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unterminated object") }
        if bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            leave()
            return nil
        }
        if !justOpened {
            try expect(UInt8(ascii: ","), "expected ',' or '}'")
            skipWhitespace()
        }
        justOpened = false
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name") }
        let key = try scanString()
        try expect(UInt8(ascii: ":"), "expected ':'")
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
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input") }
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
        return try scanString()
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
        if try consumeLiteral("true") { return true }
        if try consumeLiteral("false") { return false }
        throw error("expected a boolean")
    }

    /// Reads a number's literal text.
    public mutating func readNumberLiteral() throws(JSONError) -> String {
        skipWhitespace()
        let start = offset
        try scanNumber()
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// Consumes the next value, whatever it is, checking its syntax. One loop over the bytes with
    /// a stack of open containers instead of a call per token: most of a pod is skipped.
    public mutating func skipValue() throws(JSONError) {
        var open = ContainerStack()
        while true {
            // A value is expected here.
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input") }
            switch bytes[offset] {
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "{"):
                try enterSkipped(&open, isObject: true)
                skipWhitespace()
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                    offset += 1
                    open.pop()
                    depth -= 1
                } else {
                    try skipMemberName()
                    continue
                }
            case UInt8(ascii: "["):
                try enterSkipped(&open, isObject: false)
                skipWhitespace()
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                    offset += 1
                    open.pop()
                    depth -= 1
                } else {
                    continue
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                _ = try readBool()
            case UInt8(ascii: "n"):
                guard try consumeLiteral("null") else { throw error("expected null") }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try scanNumber()
            default:
                throw error("unexpected character")
            }
            // After a value: close containers, or go on to the next element.
            while true {
                guard let isObject = open.top else {
                    justOpened = false
                    return
                }
                skipWhitespace()
                guard offset < bytes.count else { throw error(isObject ? "unterminated object" : "unterminated array") }
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: ",") {
                    if isObject { try skipMemberName() }
                    break
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    offset -= 1
                    throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                open.pop()
                depth -= 1
            }
        }
    }

    private mutating func enterSkipped(_ open: inout ContainerStack, isObject: Bool) throws(JSONError) {
        offset += 1
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        open.push(isObject: isObject)
    }

    /// `"name" :` inside a skipped object.
    @inline(__always)
    private mutating func skipMemberName() throws(JSONError) {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a member name") }
        _ = try scanString()
        try expect(UInt8(ascii: ":"), "expected ':'")
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
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    @inline(__always)
    private mutating func expect(_ byte: UInt8, _ message: StaticString) throws(JSONError) {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { throw error(message.description) }
        offset += 1
    }

    private mutating func consumeLiteral(_ literal: StaticString) throws(JSONError) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { lit in
            (0..<count).allSatisfy { bytes[offset + $0] == lit[$0] }
        }
        if matches { offset += count }
        return matches
    }

    /// Scans a string starting at its opening quote; validates escapes, control characters and UTF-8.
    @inline(__always)
    private mutating func scanString() throws(JSONError) -> JSONKey {
        offset += 1
        let start = offset
        var hasEscapes = false
        while offset < bytes.count {
            skipPlainStringBytes()
            guard offset < bytes.count else { break }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let key = JSONKey(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), hasEscapes: hasEscapes)
                offset += 1
                return key
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte >= 0x80 {
                try skipUTF8Run()
                continue
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                offset += 1
                guard offset < bytes.count else { break }
                switch bytes[offset] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    offset += 1
                case UInt8(ascii: "u"):
                    guard offset + 4 < bytes.count,
                          (1...4).allSatisfy({ JSONKey.hexValue(bytes[offset + $0]) != nil })
                    else { throw error("bad \\u escape") }
                    offset += 5
                default:
                    throw error("bad escape")
                }
                continue
            }
            offset += 1
        }
        throw error("unterminated string")
    }

    /// Advances over string bytes that need no attention (ASCII, not `"`, `\\` or a control
    /// character), eight at a time, stopping at the first byte that does: string content is
    /// most of a pod's JSON, and nearly all of it ASCII.
    @inline(__always)
    private mutating func skipPlainStringBytes() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while offset + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte is zero, or below 0x20, when subtracting sets its high bit from a clear one.
            // A borrow can also flag bytes after a flagged one, never before it: the lowest flag
            // (the first byte in memory) is exact.
            // A non-ASCII byte has its own high bit set (exact, no borrow involved).
            let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word) | word) & highs
            guard special == 0 else {
                offset += special.trailingZeroBitCount >> 3
                return
            }
            offset += 8
        }
    }

    /// Advances over a run of UTF-8 encoded non-ASCII scalars, or throws with the offset of the
    /// first byte of the sequence that is not UTF-8: overlong forms, surrogates, values past
    /// U+10FFFF, stray continuation bytes and truncated sequences (RFC 3629 §4). One tight loop per
    /// run, so text in other scripts costs little more than ASCII.
    private mutating func skipUTF8Run() throws(JSONError) {
        let count = bytes.count
        var index = offset
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { break }
            var valid = false
            var length = 0
            if lead >= 0xC2, lead < 0xE0 {
                length = 2
                valid = index + 1 < count && bytes[index + 1] & 0xC0 == 0x80
            } else if lead >= 0xE0, lead < 0xF0 {
                length = 3
                if index + 2 < count {
                    let second = bytes[index + 1], third = bytes[index + 2]
                    valid = second & 0xC0 == 0x80 && third & 0xC0 == 0x80
                        && (lead != 0xE0 || second >= 0xA0) && (lead != 0xED || second < 0xA0)
                }
            } else if lead >= 0xF0, lead < 0xF5 {
                length = 4
                if index + 3 < count {
                    let second = bytes[index + 1], third = bytes[index + 2], fourth = bytes[index + 3]
                    valid = second & 0xC0 == 0x80 && third & 0xC0 == 0x80 && fourth & 0xC0 == 0x80
                        && (lead != 0xF0 || second >= 0x90) && (lead != 0xF4 || second < 0x90)
                }
            }
            guard valid else {
                offset = index
                throw error("invalid UTF-8 in string")
            }
            index += length
        }
        offset = index
    }

    private mutating func scanNumber() throws(JSONError) {
        func digits(_ reader: inout JSONReader) -> Int {
            let start = reader.offset
            while reader.offset < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.offset]) {
                reader.offset += 1
            }
            return reader.offset - start
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let intStart = offset
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw error("bad number") }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw error("leading zero in number") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw error("bad number") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw error("bad number") }
        }
    }
}

/// Which containers `skipValue` has open, innermost last: one bit each (object or array), as
/// many as `JSONReader.maximumDepth` allows.
private struct ContainerStack {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0

    /// Whether the innermost container is an object; nil when none is open.
    var top: Bool? {
        guard count > 0 else { return nil }
        let index = count - 1
        return (word(index >> 6) >> UInt64(index & 63)) & 1 == 1
    }

    mutating func push(isObject: Bool) {
        let index = count
        count += 1
        let bit: UInt64 = 1 << UInt64(index & 63)
        let updated = isObject ? word(index >> 6) | bit : word(index >> 6) & ~bit
        switch index >> 6 {
        case 0: words.0 = updated
        case 1: words.1 = updated
        case 2: words.2 = updated
        default: words.3 = updated
        }
    }

    mutating func pop() {
        count -= 1
    }

    private func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: words.0
        case 1: words.1
        case 2: words.2
        default: words.3
        }
    }
}

/// The type of the next JSON value.
public enum JSONKind: Sendable {
    case object, array, string, number, bool, null
}
