/// Byte classes and small scanners from RFC 9110/9112 and RFC 3986, shared by the parser pieces.
enum HTTP1Grammar {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")

    /// tchar (RFC 9110 §5.6.2): DIGIT, ALPHA and ``!#$%&'*+-.^_`|~``, one bit per ASCII byte (a
    /// shift and a mask instead of a chain of range tests; every name byte of every head goes through it).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        let below64: UInt64 = 0x03FF_6CFA_0000_0000  // !#$%&'*+-. and 0-9
        let from64: UInt64 = 0x57FF_FFFF_C7FF_FFFE  // A-Z, ^_`, a-z, | and ~
        let bits = byte < 64 ? below64 : byte < 128 ? from64 : 0
        return (bits >> UInt64(byte & 63)) & 1 != 0
    }

    /// unreserved / sub-delims / ":" / "@" / "%" (pchar, with pct-encoding's "%").
    @inline(__always)
    static func isPathCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),  // unreserved
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="),  // sub-delims
            UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    /// origin-form = absolute-path [ "?" query ] (RFC 9112 §3.2.1): pchar, "/" and "?".
    @inline(__always)
    static func isOriginFormByte(_ byte: UInt8) -> Bool {
        isPathCharacter(byte) || byte == slash || byte == UInt8(ascii: "?")
    }

    /// uri-host [ ":" port ] (RFC 3986 reg-name, IP-literal brackets, port digits).
    @inline(__always)
    static func isHostByte(_ byte: UInt8) -> Bool {
        (isPathCharacter(byte) && byte != UInt8(ascii: "@")) || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// Case-insensitive comparison with an all-lowercase ASCII literal.
    @inline(__always)
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            if folded != expected[index] { return false }
        }
        return true
    }

    /// Whether two byte sequences are equal. Eight bytes at a time: a whole head is compared with
    /// it per request (``HTTP1HeadMemo``), ~0.6k instructions byte by byte for 150 bytes (callgrind).
    @inline(__always)
    static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var index = 0
        while index + 8 <= a.count {
            guard a.loadUnaligned(fromByteOffset: index, as: UInt64.self) == b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            else { return false }
            index += 8
        }
        while index < a.count {
            guard a[index] == b[index] else { return false }
            index += 1
        }
        return true
    }

    /// Whether `bytes` spell `literal` exactly.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        equals(bytes, UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// `bytes` without leading and trailing SP/HTAB (OWS).
    static func trimmingWhitespace(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Calls `body` with each OWS-trimmed element of a comma-separated list (empty elements included).
    static func forEachListElement<Failure: Error>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        var start = 0
        while true {
            var end = start
            while end < bytes.count, bytes[end] != comma { end += 1 }
            try body(trimmingWhitespace(UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
            guard end < bytes.count else { return }
            start = end + 1
        }
    }

    /// Index of the first `byte` at or after `start`, if any. Eight bytes at a time (each head is
    /// split into lines, and lines at their colon, with it): a word XOR the byte repeated has a zero
    /// byte where `byte` is; the lowest flag of the zero-byte test is exact (a borrow only flags
    /// bytes after a zero one).
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(byte)
        var index = start
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ pattern
            let zeros = (word &- ones) & ~word & (ones &* 0x80)
            if zeros != 0 { return index + zeros.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }
}
