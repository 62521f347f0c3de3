import Testing

@testable import HTTP2

@Suite struct HTTP2FloodDetectorTests {
    private struct Frame {
        var type: UInt8
        var flags: UInt8 = 0
        var length = 10
    }

    private static func detector() -> HTTP2FloodDetector {
        var configuration = HTTP2Configuration()
        configuration.maxControlFramesPerSecond = 2
        configuration.maxContinuationFrames = 2
        configuration.maxResetsPerSecond = 1
        return HTTP2FloodDetector(configuration: configuration)
    }

    private static func feed(_ frames: [Frame]) -> [HTTP2SessionError?] {
        var detector = detector()
        return frames.map { detector.frameBegan(type: $0.type, flags: $0.flags, length: $0.length, at: 0) }
    }

    @Test func countsEmptyDataButNotDataWithPayloadOrEndStream() {
        let busy = Array(repeating: [Frame(type: 0x0, length: 100), Frame(type: 0x0, flags: 0x1, length: 0)], count: 10).flatMap { $0 }
        let results = Self.feed(busy + [Frame(type: 0x0, length: 0), Frame(type: 0x6, length: 8), Frame(type: 0x0, length: 0)])
        #expect(results == Array(repeating: nil, count: 22) + [.controlFrameFlood(limitPerSecond: 2)])
    }

    @Test func continuationCountRestartsWithEachHeadersFrame() {
        let block = [Frame(type: 0x1), Frame(type: 0x9), Frame(type: 0x9)]
        let results = Self.feed(block + block + block + [Frame(type: 0x9)])
        #expect(results == Array(repeating: nil, count: 9) + [.continuationFlood(limit: 2)])
    }

    @Test func abandonedStreamsAreRateLimited() {
        var detector = Self.detector()
        let results = [0, 2_000_000_000, 2_500_000_000].map { detector.streamAbandoned(at: $0) }
        #expect(results == [nil, nil, .rapidReset(limitPerSecond: 1)])
    }
}
