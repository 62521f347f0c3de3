import Testing
@testable import TLSEngine

@Suite struct ALPNSelectorTests {
    /// The client's offer in ALPN wire format (each name prefixed by its length).
    private func wire(_ names: [String]) -> [UInt8] {
        names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
    }

    private func select(server: [String], offer: [UInt8]) throws -> String? {
        let selector = try ALPNSelector(protocols: server)
        return offer.withUnsafeBytes { bytes in
            selector.select(fromClientOffer: bytes).map { String(decoding: offer[$0], as: UTF8.self) }
        }
    }

    @Test func serverPreferenceWinsOverClientOrder() throws {
        #expect(try select(server: ["h2", "http/1.1"], offer: wire(["http/1.1", "h2"])) == "h2")
        #expect(try select(server: ["http/1.1", "h2"], offer: wire(["h2", "http/1.1"])) == "http/1.1")
    }

    @Test func namesMustMatchExactly() throws {
        #expect(try select(server: ["h2"], offer: wire(["h2c", "h"])) == nil)
        #expect(try select(server: ["h2"], offer: wire(["h2c", "h2"])) == "h2")
    }

    @Test func emptyOrTruncatedOffersSelectNothing() throws {
        #expect(try select(server: ["h2"], offer: []) == nil)
        #expect(try select(server: ["h2"], offer: [5, UInt8(ascii: "h"), UInt8(ascii: "2")]) == nil)
        #expect(try select(server: ["h2"], offer: [0, 0, 0]) == nil)
    }
}
