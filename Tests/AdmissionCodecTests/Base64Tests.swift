@testable import AdmissionCodec
import Foundation
import Testing

@Suite struct Base64Tests {
    private func encode(_ bytes: [UInt8], after prefix: [UInt8] = []) -> [UInt8] {
        var output = prefix
        Base64.encode(bytes, appendingTo: &output)
        return output
    }

    @Test("the RFC 4648 §10 test vectors", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfcVectors(input: String, expected: String) {
        #expect(encode(Array(input.utf8)) == Array(expected.utf8))
        #expect(Base64.encodedCount(input.utf8.count) == expected.utf8.count)
    }

    @Test func appendsAfterWhatIsAlreadyThere() {
        #expect(encode(Array("foobar".utf8), after: Array("patch:".utf8)) == Array("patch:Zm9vYmFy".utf8))
    }

    @Test func matchesFoundationOnRandomInputs() {
        var generator = SystemRandomNumberGenerator()
        for count in Array(0..<70) + [255, 256, 257, 4096] {
            let input = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(encode(input) == Array(Data(input).base64EncodedData()), "input of \(count) bytes: \(input)")
        }
    }
}
