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

    /// Appends the content of a JSON string for `string`, without the quotes, escaping as
    /// `JSONCursor` does, into room for every byte escaped.
    public mutating func writeUnquoted(_ string: String) {
        let escapeRoom = JSONCursor.escapeRoom(for: string)
        bytes.append(addingCapacity: string.utf8.count + escapeRoom) { span in
            span.withUnsafeMutableBufferPointer { buffer, count in
                var cursor = JSONCursor(buffer.baseAddress!, escapeRoom: escapeRoom)
                cursor.writeUnquoted(string)
                count = cursor.position - buffer.baseAddress!
            }
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
