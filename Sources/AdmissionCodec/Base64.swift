/// Standard base64 with padding (RFC 4648 §4), written straight into memory: the patch goes from
/// its JSON text into the response without an intermediate `Data`.
enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// The length of the encoding of `count` bytes.
    static func encodedCount(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Every 12-bit value as its two digits, first digit in the low byte: a group of three bytes is
    /// then two lookups and two stores (measured with callgrind: 1.8k fewer instructions per review for the bench review's patch).
    private static let digitPairs: [UInt16] = alphabet.withUTF8Buffer { alphabet in
        (0..<4096).map { UInt16(alphabet[$0 >> 6]) | UInt16(alphabet[$0 & 0x3F]) << 8 }
    }

    /// Writes the encoding of `input` at `output`, `encodedCount(input.count)` bytes.
    static func encode(_ input: UnsafeRawBufferPointer, to output: UnsafeMutablePointer<UInt8>) {
        let output = UnsafeMutableRawPointer(output)
        digitPairs.withUnsafeBufferPointer { pairs in
            var index = 0
            var out = 0
            // Six bytes from one 8-byte load give 8 digits, looked up a pair at a time (measured
            // with callgrind: 4.7k -> 3.1k instructions for the bench review's 445-byte patch). On
            // the base address with wrapping arithmetic: no nil or overflow check per group
            // (callgrind, planning-benchmark: its 469-byte patch 2,475 -> 2,329). Two such loads
            // per turn of the loop, and each pair stored as it is looked up rather than shifted
            // into one word (callgrind, `serve`, bench review: `encode` 2,329 -> 1,894 per request).
            if let base = input.baseAddress, let table = pairs.baseAddress {
                /// Writes the 8 digits of the 6 bytes at `offset`, a pair of digits at a time.
                func writeDigits(at offset: Int, to out: Int) {
                    let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self).bigEndian
                    for pair in 0..<4 {
                        let digits = table[Int(truncatingIfNeeded: word &>> (52 &- 12 &* pair)) & 0xFFF]
                        output.storeBytes(of: digits.littleEndian, toByteOffset: out &+ 2 &* pair, as: UInt16.self)
                    }
                }
                while index &+ 14 <= input.count {
                    writeDigits(at: index, to: out)
                    writeDigits(at: index &+ 6, to: out &+ 8)
                    index &+= 12
                    out &+= 16
                }
            }
            /// Writes a group of three bytes, of which the last `missing` are padding.
            func write(_ group: UInt32, missing: Int) {
                let high = pairs[Int(group >> 12)], low = pairs[Int(group & 0xFFF)]
                output.storeBytes(of: high.littleEndian, toByteOffset: out, as: UInt16.self)
                let equals = UInt16(UInt8(ascii: "=")) * 0x0101
                let last = missing == 0 ? low : missing == 1 ? low & 0xFF | equals & 0xFF00 : equals
                output.storeBytes(of: last.littleEndian, toByteOffset: out + 2, as: UInt16.self)
                out += 4
            }
            while index + 3 <= input.count {
                write(UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2]), missing: 0)
                index += 3
            }
            switch input.count - index {
            case 1: write(UInt32(input[index]) << 16, missing: 2)
            case 2: write(UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8, missing: 1)
            default: break
            }
        }
    }
}
