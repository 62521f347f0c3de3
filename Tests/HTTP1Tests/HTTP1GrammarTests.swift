@testable import HTTP1
import HTTPTypes
import Testing

/// The word-at-a-time scanners and the bit table against byte-by-byte definitions, at every
/// position of a line (so each byte is seen in every lane of a word and in the tail).
@Suite struct HTTP1GrammarTests {
    /// tchar as RFC 9110 §5.6.2 spells it.
    static let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    @Test func tokenBytesAreExactlyTchar() {
        let mismatches = (0...255).map(UInt8.init).filter { HTTP1Grammar.isTokenByte($0) != Self.tchar.contains($0) }
        #expect(mismatches == [])
    }

    @Test func firstIndexFindsTheFirstOccurrenceInEveryLane() {
        for length in 0...20 {
            for target in 0...length {
                // Neighbours of ":" (0x3A), its high-bit twin, zero and 0xFF, then ":" at `target` and two after.
                let filler: [UInt8] = [0x39, 0x3B, 0xBA, 0x00, 0xFF]
                var line = (0..<length).map { filler[$0 % filler.count] }
                if target < length {
                    line[target] = UInt8(ascii: ":")
                    if target + 2 < length { line[target + 2] = UInt8(ascii: ":") }
                }
                for start in 0...length {
                    let expected = line.indices.first { $0 >= start && line[$0] == UInt8(ascii: ":") }
                    let found = line.withUnsafeBytes { HTTP1Grammar.firstIndex(of: UInt8(ascii: ":"), in: $0, from: start) }
                    #expect(found == expected, "length \(length), colon at \(target), from \(start)")
                }
            }
        }
    }

    @Test func everyControlCharacterAndDELIsRefusedAtEveryPosition() {
        let line = wire("GET /abcdefghijklmnopqrstuvwxyz HTTP/1.1")
        for position in 0..<line.count {
            for byte in Array(0x00...0x1F) + [0x7F] where byte != 0x09 && byte != 0x0D && byte != 0x0A {
                var head = line
                head[position] = UInt8(byte)
                head += wire("\r\n\r\n")
                #expect(throws: HTTP1ParseError(status: .badRequest, reason: "control character in head")) {
                    try head.withUnsafeBytes { try HTTP1FieldBlock.scan($0, from: 0, limit: 1024) }
                }
            }
        }
    }

    @Test func tabAndObsTextPassAtEveryPosition() throws {
        let line = wire("X: abcdefghijklmnopqrstuvwxyz")
        for position in 3..<line.count {
            for byte: UInt8 in [0x09, 0x80, 0xA0, 0xFF, 0x7E, 0x20] {
                var block = line
                block[position] = byte
                block += wire("\r\n\r\n")
                let result = try block.withUnsafeBytes { try HTTP1FieldBlock.scan($0, from: 0, limit: 1024) }
                #expect(result == .complete(length: block.count), "0x\(String(byte, radix: 16)) at \(position)")
            }
        }
    }

    @Test func commonNamesAreMatchedByTheirExactRawSpelling() {
        let names: [HTTPField.Name] = [
            .accept, .acceptEncoding, .authorization, .connection, .contentLength, .contentType, .expect,
            .transferEncoding, .userAgent,
        ]
        for name in names {
            let found = Array(name.rawName.utf8).withUnsafeBytes { HTTP1HeadParser.commonName(spelled: $0) }
            #expect(found?.rawName == name.rawName)
            #expect(found == name)
            let lowercase = Array(name.rawName.lowercased().utf8).withUnsafeBytes { HTTP1HeadParser.commonName(spelled: $0) }
            #expect(lowercase == nil, "\(name.canonicalName) spelled in lowercase is built, not reused")
        }
        #expect(Array("Content-Typo".utf8).withUnsafeBytes { HTTP1HeadParser.commonName(spelled: $0) } == nil)
    }
}
