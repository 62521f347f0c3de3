@testable import ECIProfileCore
import Testing

/// `JSONStringScanner.endOfPlainBytes`, whose word loop flags bytes with arithmetic, against the
/// plain definition: every byte value at every position of two words, alone and followed or
/// preceded by other bytes that need attention (a borrow may only flag bytes after the first).
@Suite struct JSONStringScannerTests {
    private static func expected(_ bytes: [UInt8], stoppingAt stop: JSONStringScanner.Stop) -> Int {
        bytes.firstIndex { byte in
            let special = byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            switch stop {
            case .escaped: return special
            case .unchecked: return special || byte >= 0x80
            case .uncheckedOrSpace: return special || byte >= 0x80 || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "!")
            }
        } ?? bytes.count
    }

    @Test(arguments: [JSONStringScanner.Stop.escaped, .unchecked, .uncheckedOrSpace])
    func findsTheFirstByteThatNeedsAttention(stop: JSONStringScanner.Stop) {
        func check(_ bytes: [UInt8]) {
            let found = bytes.withUnsafeBytes { JSONStringScanner.endOfPlainBytes($0, from: 0, stoppingAt: stop) }
            #expect(found == Self.expected(bytes, stoppingAt: stop), "\(bytes)")
        }
        let neighbours: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5C, 0x7F, 0x80, 0xFF]
        for value in UInt8.min...UInt8.max {
            for position in 0..<16 {
                var alone = [UInt8](repeating: UInt8(ascii: "a"), count: 20)
                alone[position] = value
                check(alone)
                for neighbour in neighbours {
                    for other in [position - 1, position + 1] where other >= 0 {
                        var bytes = alone
                        bytes[other] = neighbour
                        check(bytes)
                    }
                }
            }
        }
    }

    /// The reader's inline word loop also stops at space and `!`, which `scan` then goes on past:
    /// strings holding them at every position of two words, next to escapes, non-ASCII text and a
    /// control character, end (or fail) where they would without the stop.
    @Test func scanStepsOverSpaceAndExclamationMark() {
        for stop in [UInt8(ascii: " "), UInt8(ascii: "!")] {
            for position in 0..<16 {
                for tail: [UInt8] in [[], Array(#"\n"#.utf8), Array("é".utf8), [0x01]] {
                    var content = [UInt8](repeating: UInt8(ascii: "a"), count: 18)
                    content[position] = stop
                    content += tail
                    let text = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
                    let scan = text.withUnsafeBytes { JSONStringScanner.scan($0, openingQuoteAt: 0) }
                    if tail == [0x01] {
                        #expect(scan.failure == .controlCharacter && scan.end == 19, "\(text)")
                    } else {
                        #expect(scan.failure == nil && scan.end == text.count && scan.hasEscapes == (tail.first == UInt8(ascii: "\\")), "\(text)")
                    }
                }
            }
        }
    }
}
