import FuzzSupport
import HTTP2
import HTTPTypes

/// Small limits, so the fuzzer reaches every one of them.
private let configuration: HTTP2Configuration = {
    var configuration = HTTP2Configuration()
    configuration.maxConcurrentStreams = 8
    configuration.maxHeaderListBytes = 4_096
    configuration.maxRequestBodyBytes = 8_192
    configuration.maxBufferedBodyBytes = 16_384
    configuration.initialWindowSize = 4_096
    configuration.connectionWindowSize = 16_384
    configuration.maxResetsPerSecond = 10
    configuration.maxControlFramesPerSecond = 50
    configuration.maxContinuationFrames = 4
    return configuration
}()

private let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
private let answer = Array(repeating: UInt8(ascii: "a"), count: 5_000)

/// The injected monotonic clock: 1 ms passes per piece received, so rate limits see time go by.
private final class Clock {
    var nanoseconds: UInt64 = 1_000_000_000
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let clock = Clock()
    guard let session = try? HTTP2ServerSession(configuration: configuration, now: { clock.nanoseconds }) else {
        fatalError("session creation failed")
    }
    var output: [UInt8] = []
    var requests: [HTTP2Request] = []
    var answered = 0

    /// Receives one piece, answers what it completed and drains the output; false once the session ends.
    func feed(_ piece: UnsafeRawBufferPointer) -> Bool {
        clock.nanoseconds += 1_000_000
        do {
            try session.receive(piece, into: &requests)
        } catch {
            session.takeOutput(into: &output)
            return false
        }
        // Alternate answers with and without a body (large enough to meet flow control); answer
        // twice, as a second answer must be ignored.
        for request in requests {
            let body = answered % 2 == 0 ? answer : []
            session.respond(streamID: request.streamID, response: HTTPResponse(status: .ok), body: body)
            session.respond(streamID: request.streamID, response: HTTPResponse(status: .ok), body: body)
            answered += 1
        }
        requests.removeAll(keepingCapacity: true)
        output.removeAll(keepingCapacity: true)
        session.takeOutput(into: &output)
        return !session.wantsClose
    }

    guard preface.withUnsafeBytes(feed) else { return 0 }
    for piece in input.pieces where !feed(piece) {
        return 0
    }
    session.startGracefulShutdown()
    session.takeOutput(into: &output)
    session.startGracefulShutdown()
    session.takeOutput(into: &output)
    return 0
}
