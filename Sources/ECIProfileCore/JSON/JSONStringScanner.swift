/// Finds where a JSON string ends, checking it on the way: escapes (RFC 8259 §7), control
/// characters and UTF-8 (RFC 3629 §4). It works on local indices and touches no reader state, so
/// the compiler keeps the cursor in a register; `JSONReader` reads and skips strings through it.
enum JSONStringScanner {
    /// Why a string is not valid JSON text.
    enum Failure: UInt8 {
        case unterminated, controlCharacter, badEscape, badUnicodeEscape, invalidUTF8

        var message: String {
            switch self {
            case .unterminated: "unterminated string"
            case .controlCharacter: "control character in string"
            case .badEscape: "bad escape"
            case .badUnicodeEscape: "bad \\u escape"
            case .invalidUTF8: "invalid UTF-8 in string"
            }
        }
    }

    /// What a scan found.
    struct Scan {
        /// Just past the closing quote; on failure, the offset the error names.
        var end: Int
        /// Whether the string holds escapes (its raw bytes are not its value).
        var hasEscapes: Bool
        var failure: Failure?
    }

    /// Scans the string whose opening quote is at `quote`. The usual string (ASCII, no escape) ends
    /// at the first byte that needs attention, found inline; anything else goes on out of line.
    /// Measured with callgrind (planning-benchmark, bench review): 121.5k -> 111.0k instructions per review, skipping 37.0k -> 28.6k.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer, openingQuoteAt quote: Int) -> Scan {
        // Both ends are inside the text: wrapping arithmetic, no overflow checks.
        let index = endOfPlainBytes(bytes, from: quote &+ 1, stoppingAt: .uncheckedOrSpace)
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            return Scan(end: index &+ 1, hasEscapes: false, failure: nil)
        }
        return scan(bytes, from: index)
    }

    /// Goes on scanning a string from `start`, a byte that needs attention or the end of input.
    @inline(never)
    private static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Scan {
        let count = bytes.count
        var index = start
        var hasEscapes = false
        while true {
            index = endOfPlainBytes(bytes, from: index, stoppingAt: .unchecked)
            guard index < count else { return Scan(end: count, hasEscapes: hasEscapes, failure: .unterminated) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return Scan(end: index + 1, hasEscapes: hasEscapes, failure: nil) }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                guard index + 1 < count else { return Scan(end: count, hasEscapes: true, failure: .unterminated) }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 5 < count, (2...5).allSatisfy({ JSONKey.hexValue(bytes[index + $0]) != nil }) else {
                        return Scan(end: index + 1, hasEscapes: true, failure: .badUnicodeEscape)
                    }
                    index += 6
                default:
                    return Scan(end: index + 1, hasEscapes: true, failure: .badEscape)
                }
            } else if byte < 0x20 {
                return Scan(end: index, hasEscapes: hasEscapes, failure: .controlCharacter)
            } else {
                let run = endOfUTF8Run(bytes, from: index)
                guard run.isValid else { return Scan(end: run.end, hasEscapes: hasEscapes, failure: .invalidUTF8) }
                index = run.end
            }
        }
    }

    /// The bytes a scan stops at.
    enum Stop {
        /// `"`, `\` and control characters: what the writer must escape (it copies non-ASCII through).
        case escaped
        /// Those and non-ASCII bytes, whose UTF-8 the reader checks.
        case unchecked
        /// Those, space and `!`: the bytes below 0x23 are found without the xor that tells `"` from
        /// them, one constant fewer per word (measured with callgrind, `serve`, bench review: 79.4k
        /// -> 77.7k instructions per request, `skipValue` 14.6k -> 13.7k, `nextKey` 4.7k -> 4.3k).
        /// The reader's inline scans use it; `scan(_:from:)` goes on with `.unchecked`, so a string
        /// with spaces costs one out-of-line call, not one per space.
        case uncheckedOrSpace
    }

    /// The first index at or after `start` holding a byte of `stop`, or `bytes.count`. Eight bytes
    /// at a time: string content is most of a pod's JSON, and nearly all of it ASCII. Always
    /// inlined, so each caller's constant `stop` folds away.
    @inline(__always)
    static func endOfPlainBytes(_ bytes: UnsafeRawBufferPointer, from start: Int, stoppingAt stop: Stop) -> Int {
        let stopsAtNonASCII = stop != .escaped, stopsAtSpace = stop == .uncheckedOrSpace
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let nonASCII: UInt64 = stopsAtNonASCII ? ~0 : 0
        let count = bytes.count
        var index = start
        // On the base address, no nil check per word; bounded by the last whole word's index, so
        // the compiler sees that no index overflows (measured with callgrind, planning-benchmark,
        // bench review: 55.8k -> 55.5k instructions per review against `index &+ 8 <= count`).
        if let base = UnsafeRawPointer(bytes.baseAddress) {
            let lastWord = count - 8
            while index <= lastWord {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                // `"` xor 2 is 0x20 and a control character xor 2 stays below 0x20, every other
                // byte xor 2 is 0x21 or more: one test finds both (measured with callgrind,
                // planning-benchmark, bench review: 56.5k -> 56.0k instructions per review).
                // `.uncheckedOrSpace` takes the bytes below 0x23 instead, without the xor.
                let quoteOrControl = stopsAtSpace ? word : word ^ (ones &* 0x02)
                let below: UInt64 = stopsAtSpace ? 0x23 : 0x21
                let backslash = word ^ (ones &* 0x5C)
                // A byte is below `below` (or zero) when subtracting sets its high bit from a clear one.
                // A borrow can also flag bytes after a flagged one, never before it: the lowest flag
                // (the first byte in memory) is exact.
                // A non-ASCII byte has its own high bit set (exact, no borrow involved); the writer masks it out.
                let special = (((quoteOrControl &- ones &* below) & ~quoteOrControl) | ((backslash &- ones) & ~backslash)
                    | (word & nonASCII)) & highs
                if special != 0 { return index + special.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < count {
            let byte = bytes[index]
            if byte < (stopsAtSpace ? 0x23 : 0x20) || (stopsAtNonASCII && byte >= 0x80) || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "\\") {
                return index
            }
            index += 1
        }
        return count
    }

    /// Where a run of UTF-8 encoded non-ASCII scalars starting at `start` ends, or, when it is not
    /// valid UTF-8 (overlong forms, surrogates, values past U+10FFFF, stray continuation bytes,
    /// truncated sequences), the first byte of the offending sequence. One tight loop per run, so
    /// text in other scripts costs little more than ASCII.
    static func endOfUTF8Run(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, isValid: Bool) {
        let count = bytes.count
        var index = start
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
            guard valid else { return (index, false) }
            index += length
        }
        return (index, true)
    }
}
