import Testing

@testable import KubernetesClient

@Suite struct WatchLineSplitterTests {
    private let stream = Array("{\"a\":1}\n\r\n{\"b\":2}\r\n\n{\"c\":3}\n".utf8)
    private let expected = ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]

    private func drain(_ splitter: inout WatchLineSplitter) throws -> [String] {
        var lines: [String] = []
        while let line = try splitter.next() { lines.append(String(decoding: line, as: UTF8.self)) }
        return lines
    }

    @Test func splitsLinesFedOneByteAtATime() throws {
        var splitter = WatchLineSplitter(maximumLineLength: 64)
        var lines: [String] = []
        for byte in stream {
            splitter.append(bytes: [byte])
            lines += try drain(&splitter)
        }
        #expect(lines == expected)
        #expect(splitter.remainder.isEmpty)
    }

    @Test func splitsLinesFedInBatches() throws {
        for batch in [2, 5, 9, stream.count] {
            var splitter = WatchLineSplitter(maximumLineLength: 64)
            var lines: [String] = []
            for start in stride(from: 0, to: stream.count, by: batch) {
                splitter.append(bytes: stream[start..<min(start + batch, stream.count)])
                lines += try drain(&splitter)
            }
            #expect(lines == expected, "batch \(batch)")
        }
    }

    @Test func keepsAnUnterminatedLastLine() throws {
        var splitter = WatchLineSplitter(maximumLineLength: 64)
        splitter.append(bytes: Array("{\"a\":1}\n{\"b\"".utf8))
        #expect(try drain(&splitter) == ["{\"a\":1}"])
        #expect(splitter.remainder == Array("{\"b\"".utf8))
    }

    @Test func refusesALineOverTheLimit() throws {
        var splitter = WatchLineSplitter(maximumLineLength: 8)
        splitter.append(bytes: Array("12345678\n".utf8))
        #expect(try splitter.next() == Array("12345678".utf8))
        splitter.append(bytes: Array("123456789".utf8))
        #expect(throws: KubernetesClientError.responseTooLarge(limit: 8)) { try splitter.next() }
    }
}
