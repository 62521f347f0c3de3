@testable import AdmissionCodec
import Foundation
import Testing

@Suite struct Base64Tests {
    /// The encoding of `bytes`, checking that it writes nothing past its `encodedCount` bytes.
    private func encode(_ bytes: [UInt8]) -> [UInt8] {
        let count = Base64.encodedCount(bytes.count)
        let sentinel = [UInt8](repeating: 0xA5, count: 16)
        var output = [UInt8](repeating: 0, count: count) + sentinel
        output.withUnsafeMutableBufferPointer { output in
            bytes.withUnsafeBytes { Base64.encode($0, to: output.baseAddress!) }
        }
        #expect(Array(output[count...]) == sentinel, "wrote past the encoding of \(bytes.count) bytes")
        return Array(output[..<count])
    }

    @Test("the RFC 4648 §10 test vectors", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfcVectors(input: String, expected: String) {
        #expect(encode(Array(input.utf8)) == Array(expected.utf8))
        #expect(Base64.encodedCount(input.utf8.count) == expected.utf8.count)
    }

    @Test func matchesFoundationOnRandomInputs() {
        var generator = SystemRandomNumberGenerator()
        for count in Array(0..<70) + [255, 256, 257, 4096] {
            let input = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(encode(input) == Array(Data(input).base64EncodedData()), "input of \(count) bytes: \(input)")
        }
    }
}
