/// A string as it appears in the JSON text, decoded only when asked: member names are compared
/// against the names a reader looks for without allocating.
public struct JSONKey {
    /// The raw bytes between the quotes (escapes not yet decoded).
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline let hasEscapes: Bool

    /// The decoded string.
    public var string: String {
        if hasEscapes { return Self.unescape(bytes) }
        // Built in place: a string of up to 15 bytes (most names and values), kept in the value
        // itself, is checked for ASCII in one test instead of through `String(decoding:as:)`'s
        // validation; a longer one is validated as before (measured with callgrind,
        // planning-benchmark, bench review: 57.9k -> 57.4k instructions per review).
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
            return bytes.count
        }
    }

    /// The string's UTF-8 as it appears in the text; nil when it has escapes. The reader checked it:
    /// valid UTF-8 without control characters, so JSON string text as it is.
    public var plainBytes: UnsafeRawBufferPointer? { hasEscapes ? nil : bytes }

    /// Whether the decoded string equals `name`. Inlined, in other modules too: the decoders compare
    /// every member name they meet with a few known ones (measured: a call per comparison cost ~2 %
    /// of planning).
    @inlinable @inline(__always)
    public static func == (key: JSONKey, name: StaticString) -> Bool {
        if key.hasEscapes || !name.hasPointerRepresentation { return key.string == name.description }
        let count = name.utf8CodeUnitCount
        guard count == key.bytes.count, let bytes = key.bytes.baseAddress else { return count == key.bytes.count }
        return equalBytes(bytes, UnsafeRawPointer(name.utf8Start), count: count)
    }

    /// Whether `count` bytes at `a` and at `b` are equal, compared a word at a time: words from
    /// both ends overlap rather than read past either side. `count` is a literal's, so the
    /// branches fold away where this is inlined, and so do the literal's words (measured with
    /// callgrind, `serve`, bench review: against a byte at a time, `decode` 34.57k -> 34.13k,
    /// serve_instr12 86.26k -> 85.88k instructions per request).
    @inlinable @inline(__always)
    static func equalBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        @inline(__always) func same<Word: FixedWidthInteger>(_: Word.Type, at offset: Int) -> Bool {
            a.loadUnaligned(fromByteOffset: offset, as: Word.self) == b.loadUnaligned(fromByteOffset: offset, as: Word.self)
        }
        switch count {
        case 8...:
            var offset = 0
            while offset < count - 8 {
                guard same(UInt64.self, at: offset) else { return false }
                offset += 8
            }
            return same(UInt64.self, at: count - 8)
        case 4...: return same(UInt32.self, at: 0) && same(UInt32.self, at: count - 4)
        case 2...: return same(UInt16.self, at: 0) && same(UInt16.self, at: count - 2)
        case 1: return same(UInt8.self, at: 0)
        default: return true
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Decodes JSON escapes; the reader has already checked their syntax. Unpaired surrogates
    /// become U+FFFD, as in Go's and Foundation's decoders.
    private static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(raw.count)
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 4 | (hexValue(raw[at + $1]) ?? 0) }
        }
        var i = 0
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                i += 1
                continue
            }
            let escaped = raw[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 5 < raw.count,
                   raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                utf8.append(contentsOf: UTF8.encode(Unicode.Scalar(code) ?? "\u{FFFD}")!)
            default: utf8.append(escaped)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
