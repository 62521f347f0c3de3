import ECIProfileCore
import Testing

@Suite struct JSONReaderTests {
    @Test(arguments: [
        #"{"a":[1,-2.5e3,true,false,null,"x"],"b":{}}"#,
        #"  [ ]  "#,
        #""\u00e9\ud83d\ude00\n\"\\\/""#,
        "0", "-0", "1E+2",
    ] as [String])
    func acceptsValidJSON(text: String) throws {
        _ = try JSONValue(parsing: text)
    }

    @Test(arguments: [
        ("{", "unterminated object at byte 1"),
        (#"{"a" 1}"#, "expected ':' at byte 5"),
        (#"{"a":1,}"#, "expected a member name at byte 7"),
        ("[1 2]", "expected ',' or ']' at byte 3"),
        ("01", "leading zero in number at byte 2"),
        ("1.", "bad number at byte 2"),
        ("\"tab\tin\"", "control character in string at byte 4"),
        (#""\x""#, "bad escape at byte 2"),
        (#""\u12g4""#, #"bad \u escape at byte 2"#),
        ("nul", "expected null at byte 0"),
        ("?", "unexpected character at byte 0"),
        ("[1] x", "unexpected data after the document at byte 4"),
        ("", "unexpected end of input at byte 0"),
    ])
    func rejectsInvalidJSON(text: String, message: String) {
        #expect(throws: JSONError.self) { try JSONValue(parsing: text) }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Each input is `"` + the bytes + `"`, preceded by 12 bytes of padding so the bad sequence
    /// is found by the eight-byte scan as well as by the byte-wise tail.
    @Test(arguments: [
        ([0x80], "stray continuation byte"),
        ([0xC0, 0xAF], "overlong 2-byte form of /"),
        ([0xC1, 0xBF], "overlong 2-byte form"),
        ([0xE0, 0x80, 0xAF], "overlong 3-byte form"),
        ([0xED, 0xA0, 0x80], "UTF-16 surrogate D800"),
        ([0xF0, 0x80, 0x80, 0xAF], "overlong 4-byte form"),
        ([0xF4, 0x90, 0x80, 0x80], "past U+10FFFF"),
        ([0xF5, 0x80, 0x80, 0x80], "lead byte F5"),
        ([0xFF], "byte FF"),
        ([0xC3], "truncated 2-byte sequence at the closing quote"),
        ([0xE6, 0x89], "truncated 3-byte sequence"),
        ([0xE6, 0x41, 0x89], "continuation byte missing"),
    ] as [([UInt8], String)])
    func rejectsInvalidUTF8InStrings(bad: [UInt8], what: String) {
        for padding in [0, 12] {
            let prefix = Array(#"{"k":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: padding)
            let text = prefix + bad + Array(#"x"}"#.utf8)
            #expect(throws: JSONError(offset: prefix.count, message: "invalid UTF-8 in string"), "\(what)") {
                try JSONValue(parsing: text)
            }
            // In a member name too.
            let name = Array(#"{""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: padding)
            #expect(throws: JSONError(offset: name.count, message: "invalid UTF-8 in string"), "\(what) in a name") {
                try JSONValue(parsing: name + bad + Array(#"":1}"#.utf8))
            }
        }
    }

    @Test func acceptsEveryUTF8LengthAndBoundary() throws {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF, between ASCII runs of every alignment.
        let scalars = ["\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}"]
        for run in 0..<9 {
            let strings = scalars.map { String(repeating: "a", count: run) + $0 + "b" }
            let text = "[" + strings.map { "\"\($0)\"" }.joined(separator: ",") + "]"
            #expect(try JSONValue(parsing: Array(text.utf8)) == .array(strings.map { .string($0) }))
        }
    }

    @Test func decodesEscapesAndUnicode() throws {
        let value = try JSONValue(parsing: #"["\u00e9\ud83d\ude00 \u003cb\u003e","批处理 ✓","\ud800x"]"#)
        #expect(value == .array([.string("é😀 <b>"), .string("批处理 ✓"), .string("\u{FFFD}x")]))
    }

    @Test func keepsMemberOrderAndNumberText() throws {
        let value = try JSONValue(parsing: #"{"z":1.50,"a":2}"#)
        #expect(value.jsonString == #"{"z":1.50,"a":2}"#)
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONError.self) { try JSONValue(parsing: deep) }
    }

    /// Skips `text` as one value, as the decoders skip what they do not read.
    private func skip(_ text: String) throws(JSONError) -> Int {
        let result: Result<Int, JSONError> = Array(text.utf8).withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(JSONError) {
                try reader.skipValue()
                try reader.expectEnd()
                return .success(reader.offset)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @Test(arguments: [
        ("{", "expected a member name at byte 1"),
        ("[", "unexpected end of input at byte 1"),
        (#"{"a":1,}"#, "expected a member name at byte 7"),
        (#"{"a" 1}"#, "expected ':' at byte 5"),
        ("[1,]", "unexpected character at byte 3"),
        (#"{"a":{"b":[1,2}}"#, "expected ',' or ']' at byte 14"),
        (#"{"a":[{}]"#, "unterminated object at byte 9"),
        (#"[{"a":[]} ]]"#, "unexpected data after the document at byte 11"),
        (#"["abc"#, "unterminated string at byte 5"),
        ("[tru]", "expected a boolean at byte 1"),
        (#"{"a":nul}"#, "expected null at byte 5"),
        (#"{"a":-}"#, "bad number at byte 6"),
    ])
    func skipRejectsInvalidJSON(text: String, message: String) {
        #expect(throws: JSONError.self) { try skip(text) }
        do {
            _ = try skip(text)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Past 64 open containers the skipper keeps the outer ones' kinds apart from the innermost
    /// 64: each depth closes with the right bracket, and a wrong one is found at any depth.
    @Test(arguments: [1, 63, 64, 65, 128, 255])
    func skipsNestingPastSixtyFourContainers(depth: Int) throws {
        // Alternating objects and arrays, so a lost kind shows as a mismatched bracket.
        let openers = (0..<depth).map { $0.isMultiple(of: 2) ? #"{"k":"# : "[" }
        let closers = (0..<depth).reversed().map { $0.isMultiple(of: 2) ? "}" : "]" }
        let text = openers.joined() + "1" + closers.joined()
        #expect(try skip(text) == text.utf8.count)
        for level in Set([0, depth / 2, depth - 1]) {
            var wrong = closers
            wrong[depth - 1 - level] = level.isMultiple(of: 2) ? "]" : "}"
            let bad = openers.joined() + "1" + wrong.joined()
            let position = bad.utf8.count - 1 - level
            let expected = level.isMultiple(of: 2) ? "expected ',' or '}'" : "expected ',' or ']'"
            #expect(throws: JSONError(offset: position, message: expected), "depth \(depth), level \(level)") { try skip(bad) }
        }
        #expect(throws: JSONError(offset: 256 * 5 + 1, message: "nesting deeper than 256")) {
            try skip(String(repeating: #"{"k":"#, count: 256) + "{}")
        }
    }

    @Test func writerEscapesWhatJSONRequires() throws {
        let text = "quote\" back\\ nl\n ctl\u{01} 节点"
        let written = JSONValue.string(text).jsonString
        #expect(written == #""quote\" back\\ nl\n ctl\u0001 节点""#)
        #expect(try JSONValue(parsing: written) == .string(text))
    }

    @Test func equalityIgnoresMemberOrder() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":[1,2]}"#) == JSONValue(parsing: #"{"b":[1,2],"a":1.0}"#))
        #expect(try JSONValue(parsing: #"[1,2]"#) != JSONValue(parsing: #"[2,1]"#))
    }
}
