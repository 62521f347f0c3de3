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
