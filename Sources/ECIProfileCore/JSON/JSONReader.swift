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
    /// a stack of open containers instead of a call per token, on a local cursor written back
    /// once, strings checked by `JSONStringScanner`: most of a pod is skipped, and its cost is per token
    /// (measured with callgrind on the 3.8 KB bench review: 40.8k -> 37.0k instructions).
    public mutating func skipValue() throws(JSONError) {
        var open = ContainerStack()
        let count = bytes.count
        var index = offset
        var needsName = false
        while true {
            if needsName {
                // `"name" :` before a member's value.
                index = whitespaceEnd(from: index)
                guard index < count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name", at: index) }
                let name = JSONStringScanner.scan(bytes, openingQuoteAt: index)
                if let failure = name.failure { throw error(failure.message, at: name.end) }
                index = whitespaceEnd(from: name.end)
                guard index < count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'", at: index) }
                index += 1
                needsName = false
            }
            // A value is expected here.
            index = whitespaceEnd(from: index)
            guard index < count else { throw error("unexpected end of input", at: index) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let string = JSONStringScanner.scan(bytes, openingQuoteAt: index)
                if let failure = string.failure { throw error(failure.message, at: string.end) }
                index = string.end
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                index += 1
                guard depth + open.count < Self.maximumDepth else {
                    throw error("nesting deeper than \(Self.maximumDepth)", at: index)
                }
                let isObject = byte == UInt8(ascii: "{")
                open.push(isObject: isObject)
                index = whitespaceEnd(from: index)
                if index < count, bytes[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    open.pop()
                } else {
                    needsName = isObject
                    continue
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                offset = index
                _ = try readBool()
                index = offset
            case UInt8(ascii: "n"):
                offset = index
                guard try consumeLiteral("null") else { throw error("expected null") }
                index = offset
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                offset = index
                try scanNumber()
                index = offset
            default:
                throw error("unexpected character", at: index)
            }
            // After a value: close containers, or go on to the next element.
            while true {
                guard let isObject = open.top else {
                    justOpened = false
                    offset = index
                    return
                }
                index = whitespaceEnd(from: index)
                guard index < count else { throw error(isObject ? "unterminated object" : "unterminated array", at: index) }
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    index += 1
                    needsName = isObject
                    break
                }
                guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: index)
                }
                index += 1
                open.pop()
            }
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
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
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
        let start = offset + 1
        let scan = JSONStringScanner.scan(bytes, openingQuoteAt: offset)
        if let failure = scan.failure { throw error(failure.message, at: scan.end) }
        offset = scan.end
        return JSONKey(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<scan.end - 1]), hasEscapes: scan.hasEscapes)
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
    /// How many containers are open.
    private(set) var count = 0

    /// Whether the innermost container is an object; nil when none is open.
    @inline(__always)
    var top: Bool? {
        guard count > 0 else { return nil }
        let index = count - 1
        return (word(index >> 6) >> UInt64(index & 63)) & 1 == 1
    }

    @inline(__always)
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

    @inline(__always)
    mutating func pop() {
        count -= 1
    }

    @inline(__always)
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
