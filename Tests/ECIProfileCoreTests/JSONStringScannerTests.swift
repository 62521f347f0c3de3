@testable import ECIProfileCore
import Testing

/// `JSONStringScanner.endOfPlainBytes`, whose word loop flags bytes with arithmetic, against the
/// plain definition: every byte value at every position of two words, alone and followed or
/// preceded by other bytes that need attention (a borrow may only flag bytes after the first).
@Suite struct JSONStringScannerTests {
    private static func expected(_ bytes: [UInt8], stopsAtNonASCII: Bool) -> Int {
        bytes.firstIndex { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || (stopsAtNonASCII && $0 >= 0x80) }
            ?? bytes.count
    }

    @Test(arguments: [false, true])
    func findsTheFirstByteThatNeedsAttention(stopsAtNonASCII: Bool) {
        func check(_ bytes: [UInt8]) {
            let found = bytes.withUnsafeBytes { JSONStringScanner.endOfPlainBytes($0, from: 0, stopsAtNonASCII: stopsAtNonASCII) }
            #expect(found == Self.expected(bytes, stopsAtNonASCII: stopsAtNonASCII), "\(bytes)")
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
}
