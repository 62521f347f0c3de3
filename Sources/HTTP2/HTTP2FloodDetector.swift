/// Flood heuristics for one connection, fed frame headers and abandoned streams.
///
/// Pure bookkeeping: the session calls it from nghttp2 callbacks and tears the connection down
/// with GOAWAY(ENHANCE_YOUR_CALM) when it returns an error.
struct HTTP2FloodDetector {
    // Frame type codes and flags (RFC 9113 section 6).
    static let data: UInt8 = 0x0
    static let headers: UInt8 = 0x1
    static let continuation: UInt8 = 0x9
    static let endStream: UInt8 = 0x1

    private var resets: HTTP2RateWindow
    private var controlFrames: HTTP2RateWindow
    private let maxContinuationFrames: Int
    private var continuationFrames = 0

    init(configuration: HTTP2Configuration) {
        resets = HTTP2RateWindow(limit: configuration.maxResetsPerSecond)
        controlFrames = HTTP2RateWindow(limit: configuration.maxControlFramesPerSecond)
        maxContinuationFrames = configuration.maxContinuationFrames
    }

    /// Accounts for a received frame header; returns the flood it reveals, if any. Reads the clock
    /// only for frames that count against a rate.
    mutating func frameBegan(type: UInt8, flags: UInt8, length: Int, at now: @autoclosure () -> UInt64) -> HTTP2SessionError? {
        switch type {
        case Self.headers:
            continuationFrames = 0
            return nil
        case Self.continuation:
            continuationFrames += 1
            return continuationFrames > maxContinuationFrames ? .continuationFlood(limit: maxContinuationFrames) : nil
        case Self.data where length > 0 || flags & Self.endStream != 0:
            return nil
        default:
            // Control frames, unknown extension frames, and empty DATA frames that end nothing.
            return controlFrames.record(at: now()) ? .controlFrameFlood(limitPerSecond: controlFrames.limit) : nil
        }
    }

    /// Accounts for a stream the client reset, or that closed before it was answered.
    mutating func streamAbandoned(at now: UInt64) -> HTTP2SessionError? {
        resets.record(at: now) ? .rapidReset(limitPerSecond: resets.limit) : nil
    }
}
