@testable import ECIProfileCore
import Foundation
import Testing

/// `JSONReader.skipValue` against `ReferenceJSONSkipper` on thousands of mutated and truncated
/// documents: the fixture reviews as they are and written compactly (as kube-apiserver sends
/// them), small documents with every kind of token, and deep nesting around the skipper's
/// 64-container word, each skipped at several reader depths. Both must accept the same inputs,
/// end at the same offset, and name the same error at the same offset.
@Suite struct JSONSkipDifferentialTests {
    /// Bytes a mutation writes: JSON's structure, the starts of scalars, whitespace, control
    /// characters and the UTF-8 bytes around its boundaries.
    private static let mutationBytes: [UInt8] = Array(#""\{}[],: 0-.eE+tfnul/"#.utf8)
        + [0x0A, 0x09, 0x0D, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC2, 0xC3, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]

    /// Small documents with every token kind, escape and UTF-8 length.
    private static let smallDocuments = [
        #"{"a":[1,-2.5e3,0.5E+2,-0,true,false,null,"x"],"b":{},"c":[],"d":[{}],"e":{"f":[[]]}}"#,
        #"[ "\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t" , "é", "✓节点", "😀", 12, 1e-7 ]"#,
        #"{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}, "n": null }"#,
        "\t{ \"a\" :\r\n [ 1 , { } , [ ] ] , \"b\" : \"\" }  ",
        #""plain string""#, "-0.0e+0", "true", "null", "[[[[[[[[1]]]]]]]]",
        // Written with `": "` and `", "`, as the separators' one-load check reads them.
        #"{"a": 1, "b": [2, "c"], "d": {"e": "f"}, "g":{}}"#,
    ]

    /// The review fixtures, as they are and written compactly.
    private static func fixtureDocuments() throws -> [[UInt8]] {
        let directory = Fixtures.directory.appendingPathComponent("reviews")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.flatMap { name -> [[UInt8]] in
            let text = try Fixtures.bytes("reviews/" + name)
            return [text, Array(try JSONValue(parsing: text).jsonString.utf8)]
        }
    }

    @Test func agreesWithTheReferenceOnMutatedFixtures() throws {
        var random = Xorshift(seed: 11)
        var outcomes = Outcomes()
        for document in try Self.fixtureDocuments() {
            outcomes.record(try Self.compare(document, depth: 0))
            for round in 0..<40 {
                let mutant = random.mutate(document, times: 1 + round % 3, bytes: Self.mutationBytes)
                outcomes.record(try Self.compare(mutant, depth: round % 4 == 0 ? 3 : 0))
            }
        }
        // Meaningful only if both sides of the decision are exercised often.
        #expect(outcomes.accepted > 200 && outcomes.rejected > 1000, "\(outcomes)")
    }

    /// The fast path (which falls back to the exact one on anything it does not take) takes every
    /// fixture review whole, as it is and compact: otherwise it would only cost time.
    @Test func fastPathTakesEveryFixtureReview() throws {
        for document in try Self.fixtureDocuments() {
            let end = document.withUnsafeBytes { raw in
                JSONSkipFastPath.end(ofValueAt: 0, in: raw.baseAddress!, count: raw.count)
            }
            #expect(end != nil && end == (try? ReferenceJSONSkipper.skip(document, from: 0, depth: 0).get()))
        }
    }

    @Test func agreesWithTheReferenceOnEverySingleByteChangeOfSmallDocuments() throws {
        var outcomes = Outcomes()
        for document in Self.smallDocuments.map({ Array($0.utf8) }) {
            for position in 0...document.count {
                outcomes.record(try Self.compare(Array(document[..<position]), depth: 0))
                guard position < document.count else { continue }
                for byte in Self.mutationBytes {
                    var replaced = document
                    replaced[position] = byte
                    outcomes.record(try Self.compare(replaced, depth: 0))
                    outcomes.record(try Self.compare(Array(document[..<position] + [byte] + document[position...]), depth: 0))
                }
                outcomes.record(try Self.compare(Array(document[..<position] + document[(position + 1)...]), depth: 1))
            }
        }
        #expect(outcomes.accepted > 500 && outcomes.rejected > 5000, "\(outcomes)")
    }

    /// Nesting around the 63 containers the fast path keeps in one word, and around the reader's
    /// limit of 256 (counting the containers the reader has open around the value; from depth 194
    /// on only the exact path skips).
    @Test(arguments: [62, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257])
    func agreesWithTheReferenceOnDeepNesting(nesting: Int) throws {
        var random = Xorshift(seed: UInt64(nesting))
        let opening = (0..<nesting).map { $0 % 3 == 0 ? #"{"k":"# : "[" }
        let closing = (0..<nesting).reversed().map { $0 % 3 == 0 ? "}" : "]" }
        let document = Array((opening.joined() + #"[1,{},[]]"# + closing.joined()).utf8)
        for depth in [0, 1, 64, 192, 193, 194, 200] {
            _ = try Self.compare(document, depth: depth)
            for round in 0..<8 {
                _ = try Self.compare(random.mutate(document, times: 1 + round % 2, bytes: Self.mutationBytes), depth: depth)
            }
        }
    }

    /// Skips `document` with the reader inside `depth` arrays (opened by as many `[` before it),
    /// and with the reference; at depth 0, the document must end after the value.
    private static func compare(_ document: [UInt8], depth: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let text = Array(repeating: UInt8(ascii: "["), count: depth) + document
        let actual: Result<Int, JSONError> = text.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(JSONError) {
                for _ in 0..<depth { try reader.beginArray() }
                try reader.skipValue()
                if depth == 0 { try reader.expectEnd() }
                return .success(reader.offset)
            } catch {
                return .failure(error)
            }
        }
        var expected = ReferenceJSONSkipper.skip(text, from: depth, depth: depth)
        if depth == 0, case .success(let end) = expected {
            let rest = text[end...].drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            if !rest.isEmpty { expected = .failure(JSONError(offset: rest.startIndex, message: "unexpected data after the document")) }
            else { expected = .success(text.count) }
        }
        #expect(actual == expected, "\(String(decoding: text.prefix(200), as: UTF8.self))", sourceLocation: sourceLocation)
        return (try? expected.get()) != nil
    }
}

/// How many compared inputs were valid JSON and how many not.
private struct Outcomes: CustomStringConvertible {
    var accepted = 0
    var rejected = 0

    mutating func record(_ wasAccepted: Bool) {
        if wasAccepted { accepted += 1 } else { rejected += 1 }
    }

    var description: String { "\(accepted) accepted, \(rejected) rejected" }
}

/// A small deterministic generator (xorshift64*), so a failing mutant is found again.
private struct Xorshift {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    mutating func below(_ bound: Int) -> Int {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % bound
    }

    /// `document` changed `times` times: a byte replaced, deleted or inserted, the text cut, or a
    /// short run copied elsewhere. Half the changes hit JSON's structural bytes, where the grammar is.
    mutating func mutate(_ document: [UInt8], times: Int, bytes: [UInt8]) -> [UInt8] {
        var text = document
        for _ in 0..<times where !text.isEmpty {
            var position = below(text.count)
            if below(2) == 0 {
                // The next structural byte from a random place.
                while position + 1 < text.count, !Self.isStructural(text[position]) { position += 1 }
            }
            let byte = bytes[below(bytes.count)]
            switch below(5) {
            case 0: text[position] = byte
            case 1: text.remove(at: position)
            case 2: text.insert(byte, at: position)
            case 3: text.removeSubrange(position...)
            default:
                let run = text[position..<min(text.count, position + 1 + below(16))]
                text.insert(contentsOf: run, at: below(text.count + 1))
            }
        }
        return text
    }

    private static func isStructural(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "\""): true
        default: false
        }
    }
}
