/// Finds where JSON numbers (RFC 8259 §6) and the literals `true`, `false` and `null` end,
/// checking them on the way. Like `JSONStringScanner` it works on local indices and touches no
/// reader state; `JSONReader` reads and skips scalars through it, and so does `JSONSkipFastPath`.
enum JSONScalarScanner {
    enum Literal {
        case `true`, `false`, null

        /// Its length in bytes.
        var count: Int { self == .false ? 5 : 4 }
    }

    /// The literal that starts at `index`, if one does. One four-byte comparison each.
    @inline(__always)
    static func literal(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Literal? {
        guard index + 4 <= bytes.count else { return nil }
        switch UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self)) {
        case word("true"): return .true
        case word("null"): return .null
        case word("fals"): return index + 5 <= bytes.count && bytes[index + 4] == UInt8(ascii: "e") ? .false : nil
        default: return nil
        }
    }

    /// Four ASCII characters as the little-endian word that holds them.
    @inline(__always)
    private static func word(_ text: StaticString) -> UInt32 {
        let utf8 = text.utf8Start
        return UInt32(utf8[0]) | UInt32(utf8[1]) << 8 | UInt32(utf8[2]) << 16 | UInt32(utf8[3]) << 24
    }

    /// Why a number is not valid JSON text.
    enum NumberFailure {
        case badNumber, leadingZero

        var message: String {
            switch self {
            case .badNumber: "bad number"
            case .leadingZero: "leading zero in number"
            }
        }
    }

    /// What a number scan found.
    struct NumberScan {
        /// Just past the number; on failure, the offset the error names (where a digit was
        /// missing, or past the integer part that has a leading zero).
        var end: Int
        var failure: NumberFailure?
    }

    /// Scans the number that starts at `start`.
    static func scanNumber(_ bytes: UnsafeRawBufferPointer, from start: Int) -> NumberScan {
        let count = bytes.count
        /// Past the digits from `index`.
        func digitsEnd(_ index: Int) -> Int {
            var index = index
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index
        }
        var index = start
        if index < count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = index
        index = digitsEnd(index)
        guard index > integer else { return NumberScan(end: index, failure: .badNumber) }
        guard index == integer + 1 || bytes[integer] != UInt8(ascii: "0") else { return NumberScan(end: index, failure: .leadingZero) }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            let fraction = index + 1
            index = digitsEnd(fraction)
            guard index > fraction else { return NumberScan(end: index, failure: .badNumber) }
        }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponent = index
            index = digitsEnd(exponent)
            guard index > exponent else { return NumberScan(end: index, failure: .badNumber) }
        }
        return NumberScan(end: index, failure: nil)
    }
}
