import ECIProfileCore

/// A plain recursive-descent JSON skipper that names the same errors at the same offsets as
/// `JSONReader.skipValue`: the oracle its differential tests compare it with. It is written for
/// clarity, one token at a time, and shares no code with the reader (UTF-8 is checked by the
/// standard library).
struct ReferenceJSONSkipper {
    private let text: [UInt8]
    private var index: Int

    /// Skips the value at `start` as a reader with `depth` open containers would: the end of the
    /// value, or the error.
    static func skip(_ text: [UInt8], from start: Int, depth: Int) -> Result<Int, JSONError> {
        var skipper = ReferenceJSONSkipper(text: text, index: start)
        do throws(JSONError) {
            try skipper.value(level: depth)
            return .success(skipper.index)
        } catch {
            return .failure(error)
        }
    }

    private func fail(_ message: String, at offset: Int) -> JSONError {
        JSONError(offset: offset, message: message)
    }

    private func byte(_ offset: Int) -> UInt8? {
        offset < text.count ? text[offset] : nil
    }

    private mutating func whitespace() {
        while let byte = byte(index), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// `level`: how many containers are open around this value, the reader's included.
    private mutating func value(level: Int) throws(JSONError) {
        whitespace()
        guard let first = byte(index) else { throw fail("unexpected end of input", at: index) }
        switch first {
        case UInt8(ascii: "\""):
            try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try container(isObject: first == UInt8(ascii: "{"), level: level)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            guard literal("true") || literal("false") else { throw fail("expected a boolean", at: index) }
        case UInt8(ascii: "n"):
            guard literal("null") else { throw fail("expected null", at: index) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
        default:
            throw fail("unexpected character", at: index)
        }
    }

    private mutating func container(isObject: Bool, level: Int) throws(JSONError) {
        let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        guard level < JSONReader.maximumDepth else { throw fail("nesting deeper than \(JSONReader.maximumDepth)", at: index) }
        whitespace()
        if byte(index) == closer {
            index += 1
            return
        }
        while true {
            if isObject {
                whitespace()
                guard byte(index) == UInt8(ascii: "\"") else { throw fail("expected a member name", at: index) }
                try string()
                whitespace()
                guard byte(index) == UInt8(ascii: ":") else { throw fail("expected ':'", at: index) }
                index += 1
            }
            try value(level: level + 1)
            whitespace()
            guard let next = byte(index) else { throw fail(isObject ? "unterminated object" : "unterminated array", at: index) }
            index += 1
            if next == closer { return }
            guard next == UInt8(ascii: ",") else {
                throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: index - 1)
            }
        }
    }

    private mutating func literal(_ word: String) -> Bool {
        let word = Array(word.utf8)
        guard index + word.count <= text.count, Array(text[index..<index + word.count]) == word else { return false }
        index += word.count
        return true
    }

    private mutating func number() throws(JSONError) {
        func digits(_ skipper: inout ReferenceJSONSkipper) -> Int {
            let start = skipper.index
            while let byte = skipper.byte(skipper.index), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { skipper.index += 1 }
            return skipper.index - start
        }
        if byte(index) == UInt8(ascii: "-") { index += 1 }
        let integer = index
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw fail("bad number", at: index) }
        guard integerDigits == 1 || text[integer] != UInt8(ascii: "0") else { throw fail("leading zero in number", at: index) }
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw fail("bad number", at: index) }
        }
        if byte(index) == UInt8(ascii: "e") || byte(index) == UInt8(ascii: "E") {
            index += 1
            if byte(index) == UInt8(ascii: "+") || byte(index) == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw fail("bad number", at: index) }
        }
    }

    private mutating func string() throws(JSONError) {
        index += 1
        while true {
            guard let byte = byte(index) else { throw fail("unterminated string", at: text.count) }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                guard let escaped = self.byte(index + 1) else { throw fail("unterminated string", at: text.count) }
                switch escaped {
                case UInt8(ascii: "u"):
                    let hex = text[min(index + 2, text.count)..<min(index + 6, text.count)]
                    guard hex.count == 4, hex.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }) else {
                        throw fail(#"bad \u escape"#, at: index + 1)
                    }
                    index += 6
                case _ where Array(#""\/bfnrt"#.utf8).contains(escaped):
                    index += 2
                default:
                    throw fail("bad escape", at: index + 1)
                }
            case 0..<0x20:
                throw fail("control character in string", at: index)
            case 0..<0x80:
                index += 1
            default:
                // The sequence's length from its lead byte; the standard library judges the rest.
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
                guard length > 0, index + length <= text.count,
                      String(validating: text[index..<index + length], as: UTF8.self) != nil else {
                    throw fail("invalid UTF-8 in string", at: index)
                }
                index += length
            }
        }
    }
}
