/// Writes compact JSON text into a byte buffer.
public struct JSONWriter {
    /// The text written so far.
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends `value`.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let b): writeRaw(b ? "true" : "false")
        case .number(let literal): bytes.append(contentsOf: literal.utf8)
        case .string(let s): write(string: s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `string` as a JSON string, escaping quotes, backslashes and control characters.
    public mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        writeUnquoted(string)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the content of a JSON string for `string`, without the quotes. Runs that need no
    /// escape are found eight bytes at a time and copied whole (measured with callgrind: about 800 -> 530
    /// instructions per string of the bench review's answer).
    public mutating func writeUnquoted(_ string: String) {
        // Native strings lend their UTF-8 in place; `withUTF8` would need a mutable copy (a retain).
        if string.utf8.withContiguousStorageIfAvailable({ writeUnquoted(utf8: UnsafeRawBufferPointer($0)) }) != nil { return }
        var string = string
        string.withUTF8 { writeUnquoted(utf8: UnsafeRawBufferPointer($0)) }
    }

    private mutating func writeUnquoted(utf8 raw: UnsafeRawBufferPointer) {
        var runStart = 0
        while true {
            let index = JSONStringScanner.endOfPlainBytes(raw, from: runStart, stopsAtNonASCII: false)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart..<index]))
            guard index < raw.count else { return }
            writeEscaped(raw[index])
            runStart = index + 1
        }
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        let escape = Self.escape(byte)
        withUnsafeBytes(of: escape.bytes.littleEndian) { bytes.append(contentsOf: $0.prefix(escape.count)) }
    }

    /// The escape of a byte that needs one in a JSON string (`"`, `\\`, a control character): up to
    /// six bytes, first in the low byte of the word, and their count.
    static func escape(_ byte: UInt8) -> (bytes: UInt64, count: Int) {
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

    /// Appends text that is already JSON (punctuation, literals, pre-encoded fragments).
    public mutating func writeRaw(_ text: StaticString) {
        // Punctuation appended as one byte: `append(contentsOf:)` cost about 100 instructions more
        // (callgrind).
        if text.hasPointerRepresentation, text.utf8CodeUnitCount == 1 {
            bytes.append(text.utf8Start.pointee)
            return
        }
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension JSONValue {
    /// The value as compact JSON text.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// The value as compact JSON text.
    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }
}
