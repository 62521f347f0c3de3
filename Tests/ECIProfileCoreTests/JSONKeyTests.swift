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

    @Test(arguments: [
        ("", false), ("a", false), ("uid", false), ("name", true), ("nama", false), ("bame", false),
        ("generateName", false), ("ownerReferences", false), ("namespace", false),
    ])
    func comparesWithLiterals(text: String, equalsName: Bool) {
        let bytes = Array(#"{"\#(text)":1}"#.utf8)
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            try? reader.beginObject()
            guard let key = try? reader.nextKey() else { Issue.record("no key"); return }
            #expect((key == "name") == equalsName)
            #expect((key == "") == text.isEmpty)
            #expect(key == "ownerReferences" || text != "ownerReferences")
            #expect(key == "generateName" || text != "generateName")
            #expect((key == "namespace") == (text == "namespace"))
        }
    }
}
