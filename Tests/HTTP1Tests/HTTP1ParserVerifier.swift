import HTTP1
import HTTPTypes
import Testing

/// Everything a parser reported for one input: events in order, the error that stopped it, idleness at the end.
struct ParseOutcome: Equatable {
    var events: [HTTP1ParserEvent] = []
    var error: HTTP1ParseError?
    var isIdle = true
}

/// Feeds the same bytes to fresh parsers in different pieces and checks that the outcome never
/// depends on how the bytes were split (the idea of swift-nio's ByteToMessageDecoderVerifier).
enum HTTP1ParserVerifier {
    /// Parses `input` in one batch, one byte at a time and split in two at every index (at most
    /// ~2,000 evenly spaced split points for long inputs); records an issue when any outcome
    /// differs from the one-batch outcome, which it returns.
    static func verify(
        _ input: [UInt8],
        limits: HTTP1ParserLimits = HTTP1ParserLimits(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParseOutcome {
        let whole = parse([input[...]], limits: limits)
        let byteByByte = parse(input.indices.lazy.map { input[$0...$0] }, limits: limits)
        #expect(byteByByte == whole, "one byte at a time differs from one batch", sourceLocation: sourceLocation)
        let step = max(1, input.count / 2_000)
        for split in stride(from: 0, through: input.count, by: step) {
            let outcome = parse([input[..<split], input[split...]], limits: limits)
            if outcome != whole {
                Issue.record("split at \(split) differs: \(outcome) vs \(whole)", sourceLocation: sourceLocation)
                break
            }
        }
        return whole
    }

    /// Appends each piece to one parser and drains `next()` after each append, stopping at the first error.
    static func parse(_ pieces: some Sequence<ArraySlice<UInt8>>, limits: HTTP1ParserLimits) -> ParseOutcome {
        var parser = HTTP1RequestParser(limits: limits)
        var outcome = ParseOutcome()
        feeding: for piece in pieces {
            piece.withUnsafeBytes { parser.append($0) }
            do {
                while let event = try parser.next() {
                    outcome.events.append(event)
                }
            } catch {
                outcome.error = error
                break feeding
            }
        }
        outcome.isIdle = parser.isIdle
        return outcome
    }
}

/// The bytes of `text` (UTF-8); tests spell CRLF explicitly.
func wire(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// A request head as the parser should produce it.
func makeHead(
    _ method: HTTPRequest.Method = .post,
    path: String = "/mutate",
    authority: String? = "webhook.svc",
    fields: HTTPFields = [:],
    keepAlive: Bool = true,
    expectsContinue: Bool = false
) -> HTTP1RequestHead {
    HTTP1RequestHead(
        request: HTTPRequest(method: method, scheme: nil, authority: authority, path: path, headerFields: fields),
        keepAlive: keepAlive,
        expectsContinue: expectsContinue)
}

/// Verifies `text` and returns the status code it was refused with (nil when accepted).
func refusal(_ text: String, limits: HTTP1ParserLimits = HTTP1ParserLimits(), sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
    HTTP1ParserVerifier.verify(wire(text), limits: limits, sourceLocation: sourceLocation).error?.status.code
}
