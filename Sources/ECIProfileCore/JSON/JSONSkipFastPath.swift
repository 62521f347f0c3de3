/// Finds where a JSON value ends, checking it as strictly as `JSONReader`'s exact skipper does but
/// reporting nothing: on invalid JSON, and on more nesting than one 64-bit word of container kinds
/// holds, it answers nil and the reader skips the value again with the exact path, which names the
/// error and its offset. The differential tests hold the two to the same decisions.
///
/// It works on local indices only (no reader state, no error to build, no deep stack), so the
/// cursor and the stack of open containers stay in registers and every failure is one exit; the
/// bytes compact JSON puts between tokens are each decided by one comparison. Measured with
/// callgrind (planning-benchmark, the 3.8 KB bench review): skipping 21.3k -> 18.6k instructions
/// per review against the exact path alone (17.7k with the sign-bit test below and one-space
/// whitespace found without a loop).
enum JSONSkipFastPath {
    /// How many containers the fast path keeps open at a time: as many as one word holds below
    /// its sentinel bit.
    static let maximumOpen = 63

    /// The end (just past the last byte) of the value at `start` (whitespace before it allowed), or
    /// nil when it is not valid JSON or would open more than `maximumOpen` containers at a time.
    /// The cursor only ever moves past a byte it has read, so it moves with wrapping arithmetic
    /// (no overflow check to branch on: 58.6k -> 58.5k instructions per review with the string
    /// scanner's).
    @inline(__always)
    static func end(ofValueAt start: Int, in base: UnsafeRawPointer, count: Int) -> Int? {
        let bytes = UnsafeRawBufferPointer(start: base, count: count)
        // The open containers, innermost in the lowest bit (1 for an object), above a sentinel 1:
        // `open == 1` when none is open; the sentinel is the sign bit when `maximumOpen` are.
        var open: UInt64 = 1
        var index = start

        // At the top of the loop `index` is at the first byte of a token, read there again rather
        // than kept in a register across the loop: one register fewer kept the stack of open
        // containers out of memory (measured with callgrind, planning-benchmark, bench review:
        // 57.4k -> 56.5k instructions per review, skipValue 17.0k -> 16.1k).
        guard nextByte(bytes, &index) != nil else { return nil }
        var needsName = false
        nextValue: while true {
            if needsName {
                // `"name" :` before a member's value.
                guard bytes[index] == UInt8(ascii: "\"") else { return nil }
                let plainEnd = JSONStringScanner.endOfPlainBytes(bytes, from: index &+ 1, stoppingAt: .uncheckedOrSpace)
                if let value = JSONReader.token(after: UInt8(ascii: ":"), closingQuoteAt: plainEnd, in: bytes) {
                    index = value
                } else {
                    guard let value = value(afterNameAt: index, in: bytes) else { return nil }
                    index = value
                }
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let end = stringEnd(bytes, index) else { return nil }
                index = end
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                // Full when the sentinel is the sign bit: one test, no limit held in a register
                // (measured: skipping 18.3k -> 17.7k instructions).
                guard Int64(bitPattern: open) > 0 else { return nil }
                index &+= 1
                // `{}` or `[]` (`}` and `]` follow their openers by two in ASCII): never pushed.
                guard let next = nextByte(bytes, &index) else { return nil }
                if next == byte &+ 2 {
                    index &+= 1
                } else {
                    needsName = byte == UInt8(ascii: "{")
                    open = open << 1 | (needsName ? 1 : 0)
                    continue nextValue
                }
            } else if byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") {
                let number = JSONScalarScanner.scanNumber(bytes, from: index)
                guard number.failure == nil else { return nil }
                index = number.end
            } else {
                guard let literal = JSONScalarScanner.literal(bytes, at: index) else { return nil }
                index &+= literal.count
            }
            // After a value: close containers, or go on to the next element.
            while open != 1 {
                let isObject = open & 1 == 1
                guard let next = nextByte(bytes, &index) else { return nil }
                if next == UInt8(ascii: ",") {
                    index = JSONReader.token(after: UInt8(ascii: ","), in: bytes, at: index) ?? JSONReader.whitespaceEnd(bytes, from: index &+ 1, loopsInline: true)
                    guard index < bytes.count else { return nil }
                    needsName = isObject
                    continue nextValue
                }
                guard next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return nil }
                index &+= 1
                open >>= 1
            }
            return index
        }
    }

    /// Where the value of the member whose name starts at `quote` starts, when the name and the
    /// `:` after it are not as `JSONReader.token(after:closingQuoteAt:in:)` finds them at once; nil
    /// when they are not valid. Out of line, so that the loop keeps its registers (inlined, the
    /// loop spilled more: `skipValue` 16.41k instead of 15.69k instructions per request).
    @inline(never)
    private static func value(afterNameAt quote: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard var index = stringEnd(bytes, quote) else { return nil }
        if let value = JSONReader.token(after: UInt8(ascii: ":"), in: bytes, at: index) { return value }
        guard nextByte(bytes, &index) == UInt8(ascii: ":") else { return nil }
        index &+= 1
        return nextByte(bytes, &index) != nil ? index : nil
    }

    /// The byte at `index` after any whitespace (`index` moved past the whitespace), or nil at the
    /// end of the text. A token that follows at once is answered with one bounds check and one
    /// load (measured with callgrind, `serve`, bench review: `skipValue` 15.69k -> 15.38k,
    /// serve_instr12 85.88k -> 85.57k instructions per request).
    @inline(__always)
    private static func nextByte(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> UInt8? {
        if index < bytes.count, bytes[index] > 0x20 { return bytes[index] }
        index = JSONReader.whitespaceEnd(bytes, from: index, loopsInline: true)
        return index < bytes.count ? bytes[index] : nil
    }

    /// Just past the string whose opening quote is at `index`, or nil when it is not valid.
    @inline(__always)
    private static func stringEnd(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Int? {
        let scan = JSONStringScanner.scan(bytes, openingQuoteAt: index)
        return scan.failure == nil ? scan.end : nil
    }
}
