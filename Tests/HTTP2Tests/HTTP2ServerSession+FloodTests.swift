import Testing

@testable import HTTP2

@Suite final class HTTP2ServerSessionFloodTests {
    private let clock = TestClock()
    private let server: HTTP2ServerSession
    private var requests: [HTTP2Request] = []

    init() throws {
        let clock = self.clock
        server = try HTTP2ServerSession(now: { clock.nanoseconds })
    }

    private func feed(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try server.receive($0, into: &requests) }
    }

    private func output() -> [UInt8] {
        var out: [UInt8] = []
        server.takeOutput(into: &out)
        return out
    }

    @Test func rapidResetWithinOneSecondSendsEnhanceYourCalm() throws {
        var attack = HTTP2Frames.clientPreface
        for index in 0..<1_000 {
            attack += HTTP2Frames.requestThenReset(streamID: UInt32(2 * index + 1))
        }

        #expect(throws: HTTP2SessionError.rapidReset(limitPerSecond: 100)) { try feed(attack) }
        #expect(HTTP2Frames.goAwayErrorCodes(in: output()) == [0xb])
        #expect(server.wantsClose)
        #expect(throws: HTTP2SessionError.rapidReset(limitPerSecond: 100)) { try feed(HTTP2Frames.ping()) }
    }

    @Test func resetsSpreadOverTimeAreAllowed() throws {
        try feed(HTTP2Frames.clientPreface)
        for second in 0..<20 {
            var batch: [UInt8] = []
            for index in 0..<50 {
                batch += HTTP2Frames.requestThenReset(streamID: UInt32(2 * (second * 50 + index) + 1))
            }
            try feed(batch)
            _ = output()
            clock.advance(seconds: 1)
        }
        #expect(requests.count == 1_000)
        #expect(!server.wantsClose)
    }

    @Test(arguments: [("SETTINGS", HTTP2Frames.settings()), ("PING", HTTP2Frames.ping())])
    func controlFrameFloodSendsEnhanceYourCalm(kind: String, frame: [UInt8]) throws {
        var flood = HTTP2Frames.clientPreface
        for _ in 0..<2_000 { flood += frame }

        #expect(throws: HTTP2SessionError.controlFrameFlood(limitPerSecond: 1_000), "\(kind) flood") { try feed(flood) }
        #expect(HTTP2Frames.goAwayErrorCodes(in: output()) == [0xb])
    }

    @Test func controlFramesSpreadOverTimeAreAllowed() throws {
        try feed(HTTP2Frames.clientPreface)
        for _ in 0..<10 {
            var batch: [UInt8] = []
            for _ in 0..<500 { batch += HTTP2Frames.ping() }
            try feed(batch)
            let acks = HTTP2Frames.parse(output()).filter { $0.type == 0x6 && $0.flags == 0x1 }
            #expect(acks.count == 500)
            clock.advance(seconds: 1)
        }
    }

    @Test func emptyDataFloodSendsEnhanceYourCalm() throws {
        let postHeaderBlock = [0x83] + HTTP2Frames.getHeaderBlock.dropFirst()   // :method POST
        var flood = HTTP2Frames.clientPreface
            + HTTP2Frames.frame(type: 0x1, flags: HTTP2Frames.endHeaders, streamID: 1, payload: postHeaderBlock)
        for _ in 0..<2_000 { flood += HTTP2Frames.frame(type: 0x0, streamID: 1) }

        #expect(throws: HTTP2SessionError.controlFrameFlood(limitPerSecond: 1_000)) { try feed(flood) }
        #expect(HTTP2Frames.goAwayErrorCodes(in: output()) == [0xb])
    }

    @Test func continuationFloodEndsTheSession() throws {
        var flood = HTTP2Frames.clientPreface
            + HTTP2Frames.frame(type: 0x1, streamID: 1, payload: HTTP2Frames.getHeaderBlock)
        let field: [UInt8] = [0x00, 0x03] + Array("x-a".utf8) + [0x01, UInt8(ascii: "b")]   // literal, not indexed
        for _ in 0..<5_000 {
            flood += HTTP2Frames.frame(type: 0x9, streamID: 1, payload: field)
        }

        #expect(throws: HTTP2SessionError.continuationFlood(limit: 8)) { try feed(flood) }
        #expect(HTTP2Frames.goAwayErrorCodes(in: output()) == [0xb])
        #expect(requests.isEmpty)
    }
}
