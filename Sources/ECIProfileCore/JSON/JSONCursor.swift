/// Writes compact JSON text at a pointer into memory its caller reserved, with no capacity check
/// per write: for a document whose size is bounded beforehand (the admission response). Each
/// `JSONWriter` append checked and grew its array (about 90 instructions each; callgrind, `serve`,
/// bench review: `AdmissionResponse.encoded` 6.1k -> 4.9k instructions per request, with base64).
///
/// The caller reserves each string's bytes as they are (`count(ofPlainString:)`) plus `escapeRoom`
/// bytes; an escape the room cannot hold stops the string and sets `overflowed`, and the caller
/// writes again with room for every byte escaped. Reserving that at once made the bench review's
/// answer larger than glibc's per-thread cache holds (1,032 bytes): malloc cost 800 instructions more.
public struct JSONCursor {
    /// Where the next byte goes. Settable, so that the raw writes can be inlined into the caller's
    /// module: called, 13 of them cost 420 more instructions per bench review (callgrind,
    /// planning-benchmark).
    public var position: UnsafeMutablePointer<UInt8>
    /// The bytes left for escapes.
    private var escapeRoom: Int
    /// Whether an escape did not fit in the room: the text is incomplete.
    public private(set) var overflowed = false

    public init(_ start: UnsafeMutablePointer<UInt8>, escapeRoom: Int) {
        position = start
        self.escapeRoom = escapeRoom
    }

    /// The bytes `write(string:)` writes for `string` when it needs no escape.
    public static func count(ofPlainString string: String) -> Int {
        string.utf8.count + 2
    }

    /// The escape room that holds any escapes of `string`: five more bytes for each byte (`\u00XX`),
    /// and two for the last escape's word stored whole.
    public static func escapeRoom(for string: String) -> Int {
        string.utf8.count * 5 + 2
    }

    /// Writes text that is already JSON (punctuation, literals, pre-encoded fragments).
    @inlinable
    public mutating func writeRaw(_ text: StaticString) {
        if text.hasPointerRepresentation {
            writeRaw(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        } else {
            text.withUTF8Buffer { writeRaw(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Writes `bytes` as they are.
    @inlinable
    public mutating func writeRaw(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(position).copyMemory(from: base, byteCount: bytes.count)
        position += bytes.count
    }

    /// Writes `count` bytes with `body`, which gets where they go.
    public mutating func write(count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        body(position)
        position += count
    }

    /// Writes `string` as a JSON string: `count(ofPlainString:)` bytes, and its escapes' from the room.
    public mutating func write(string: String) {
        position.pointee = UInt8(ascii: "\"")
        position += 1
        writeUnquoted(string)
        position.pointee = UInt8(ascii: "\"")
        position += 1
    }

    /// Writes the content of a JSON string for `string`, without the quotes, escaping quotes,
    /// backslashes and control characters. Runs that need no escape are found eight bytes at a
    /// time and copied whole (measured with callgrind: about 800 -> 530 instructions per string of
    /// the bench review's answer, when `JSONWriter` wrote it).
    public mutating func writeUnquoted(_ string: String) {
        // Native strings lend their UTF-8 in place; `withUTF8` would need a mutable copy (a retain).
        if string.utf8.withContiguousStorageIfAvailable({ writeUnquoted(utf8: UnsafeRawBufferPointer($0)) }) != nil { return }
        var string = string
        string.withUTF8 { writeUnquoted(utf8: UnsafeRawBufferPointer($0)) }
    }

    private mutating func writeUnquoted(utf8 raw: UnsafeRawBufferPointer) {
        var runStart = 0
        while true {
            let index = JSONStringScanner.endOfPlainBytes(raw, from: runStart, stoppingAt: .escaped)
            writeRaw(UnsafeRawBufferPointer(rebasing: raw[runStart..<index]))
            guard index < raw.count else { return }
            let escape = Self.escape(raw[index])
            // One byte was reserved for the escaped byte; the word stores eight.
            guard escapeRoom >= 7 else {
                overflowed = true
                return
            }
            escapeRoom -= escape.count - 1
            UnsafeMutableRawPointer(position).storeBytes(of: escape.bytes.littleEndian, as: UInt64.self)
            position += escape.count
            runStart = index + 1
        }
    }

    /// The escape of a byte that needs one in a JSON string (`"`, `\\`, a control character): up to
    /// six bytes, first in the low byte of the word, and their count.
    private static func escape(_ byte: UInt8) -> (bytes: UInt64, count: Int) {
        func pair(_ second: Unicode.Scalar) -> (UInt64, Int) {
            (UInt64(UInt8(ascii: "\\")) | UInt64(UInt8(ascii: second)) << 8, 2)
        }
        switch byte {
        case UInt8(ascii: "\""): return pair("\"")
        case UInt8(ascii: "\\"): return pair("\\")
        case 0x0A: return pair("n")
        case 0x0D: return pair("r")
        case 0x09: return pair("t")
        default:
            // `\u00` and two hex digits.
            let prefix = UInt64(0x30_30_75_5C)
            return (prefix | UInt64(hexDigits[Int(byte >> 4)]) << 32 | UInt64(hexDigits[Int(byte & 0xF)]) << 40, 6)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
