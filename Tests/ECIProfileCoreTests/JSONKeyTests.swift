@testable import ECIProfileCore
import Testing

/// `JSONKey == name`, which compares a word at a time with words from both ends overlapping,
/// against byte equality: every length a word boundary can split, a difference at every byte.
@Suite struct JSONKeyTests {
    @Test func equalBytesFindsADifferenceAtEveryByte() {
        for count in 0...40 {
            let a = (0..<count).map { UInt8(truncatingIfNeeded: 0x41 + $0) }
            a.withUnsafeBytes { left in
                var b = a
                b.withUnsafeBytes { right in
                    #expect(JSONKey.equalBytes(left.baseAddress!, right.baseAddress!, count: count), "\(count)")
                }
                for position in 0..<count {
                    b = a
                    b[position] ^= 0x20
                    b.withUnsafeBytes { right in
                        #expect(!JSONKey.equalBytes(left.baseAddress!, right.baseAddress!, count: count), "\(count) \(position)")
                    }
                }
            }
        }
    }

    @Test(arguments: ["", "a", "uid", "name", "nama", "bame", "generateName", "generateNamf", "ownerReferences", "namespace"])
    func comparesWithLiterals(text: String) {
        let literals: [StaticString] = ["", "uid", "name", "generateName", "ownerReferences", "namespace"]
        let bytes = Array(#"{"\#(text)":1}"#.utf8)
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            guard (try? reader.beginObject()) != nil, let key = try? reader.nextKey() else {
                Issue.record("no key")
                return
            }
            for literal in literals {
                #expect((key == literal) == (text == literal.description), "\(text) \(literal)")
            }
        }
    }
}
