/// Standard base64 with padding (RFC 4648 §4), written straight into a byte buffer: the patch
/// goes from its JSON text into the response without an intermediate `Data`.
enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// The length of the encoding of `count` bytes.
    static func encodedCount(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Appends the encoding of `input` to `output`.
    static func encode(_ input: [UInt8], appendingTo output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: encodedCount(input.count)))
        alphabet.withUTF8Buffer { alphabet in
            input.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    var out = output.baseAddress! + start
                    /// Writes the first `digits` digits of a group of three bytes; the padding
                    /// is already in place.
                    func write(_ group: UInt32, digits: Int) {
                        out[0] = alphabet[Int(group >> 18)]
                        out[1] = alphabet[Int(group >> 12 & 0x3F)]
                        if digits > 2 { out[2] = alphabet[Int(group >> 6 & 0x3F)] }
                        if digits > 3 { out[3] = alphabet[Int(group & 0x3F)] }
                        out += 4
                    }
                    var index = 0
                    while index + 3 <= input.count {
                        write(UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2]), digits: 4)
                        index += 3
                    }
                    switch input.count - index {
                    case 1: write(UInt32(input[index]) << 16, digits: 2)
                    case 2: write(UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8, digits: 3)
                    default: break
                    }
                }
            }
        }
    }
}
