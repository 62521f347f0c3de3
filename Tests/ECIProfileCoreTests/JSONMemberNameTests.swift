@testable import ECIProfileCore
import Testing

/// The one-load test for a member name's end, its `:` and its value's first byte
/// (`JSONReader.token(after:closingQuoteAt:in:)`), which `nextKey` and the skipper's fast path take
/// before the general path, against the plain definition; and the names `nextKey` reads either way.
@Suite struct JSONMemberNameTests {
    /// Where the token after `"`, `:` and at most one space starts, when it is not whitespace and,
    /// as every token's first byte, ASCII; nil when the general path must decide.
    private static func expected(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "\""), bytes[1] == UInt8(ascii: ":") else { return nil }
        let tokenStart = bytes[2] == 0x20 ? 3 : 2
        return (0x21...0x7F).contains(bytes[tokenStart]) ? tokenStart : nil
    }

    @Test func findsTheValueAfterANameAtOnce() {
        let bytes: [UInt8] = [0x00, 0x09, 0x0A, 0x20, 0x21, 0x22, 0x2C, 0x3A, 0x5C, 0x7B, 0x7F, 0x80, 0xA0, 0xA1, 0xFF]
        for first in bytes {
            for second in bytes {
                for third in bytes {
                    for fourth in bytes {
                        let word = [first, second, third, fourth]
                        let found = word.withUnsafeBytes { JSONReader.token(after: UInt8(ascii: ":"), closingQuoteAt: 0, in: $0) }
                        if let expected = Self.expected(word) {
                            #expect(found == expected, "\(word)")
                        } else if let found {
                            // Only a non-ASCII byte where the value starts may be let through: it
                            // starts no value, and reading it fails as it would have.
                            #expect(found >= 2 && word[found] >= 0x80 && word[found] <= 0xA0, "\(word)")
                            #expect(word[0] == UInt8(ascii: "\"") && word[1] == UInt8(ascii: ":"), "\(word)")
                            #expect(found == 2 || word[2] == 0x20, "\(word)")
                        }
                    }
                }
            }
        }
        // Too close to the end of the text for one load: the general path decides.
        #expect([UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: "1")].withUnsafeBytes {
            JSONReader.token(after: UInt8(ascii: ":"), closingQuoteAt: 0, in: $0)
        } == nil)
    }

    @Test(arguments: [
        #"{"name":1,"k":2}"#, #"{"name": 1, "k": 2}"#, "{\"name\" :\t1 ,\n\"k\":  2}", #"{"na\u006de":1,"k":2}"#,
        #"{"námé":1,"k":2}"#, #"{"name":1,"k":2"#,
    ])
    func readsNamesWhateverTheirSpacing(text: String) throws {
        let bytes = Array(text.utf8)
        let names: [String] = try bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            var names: [String] = []
            try reader.beginObject()
            do {
                while let key = try reader.nextKey() {
                    names.append(key.string)
                    _ = try reader.readNumberLiteral()
                }
            } catch {
                #expect(text.last != "}", "\(error)")
            }
            return names
        }
        #expect(names.first == (text.contains("námé") ? "námé" : "name"))
        #expect(names.count == 2)
    }
}
