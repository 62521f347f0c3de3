/// Decodes a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) as its bytes arrive: request bodies
/// for the server, response bodies (watch streams) for the Kubernetes client.
///
/// The decoder holds only its position in the chunk grammar; the caller owns the bytes and the
/// decoded body, and drops the bytes the decoder reports as consumed.
public struct HTTP1ChunkedDecoder: Sendable {
    private enum State: Equatable {
        /// Reading `chunk-size [chunk-ext] CRLF`; `scanned` bytes hold no CR.
        case size(scanned: Int)
        /// Copying chunk data.
        case data(remaining: Int)
        /// Expecting the CRLF that ends chunk data.
        case dataEnd
        /// Reading the trailer section up to its empty line.
        case trailers(scanned: Int)
    }

    private var state = State.size(scanned: 0)
    private let maxBodyBytes: Int
    private let maxChunkLineBytes: Int
    private let maxTrailerBytes: Int

    /// Creates a decoder; `maxTrailerBytes` is what remains of the header budget after the head.
    public init(limits: HTTP1ParserLimits, maxTrailerBytes: Int) {
        self.maxBodyBytes = limits.maxBodyBytes
        self.maxChunkLineBytes = limits.maxChunkLineBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Decodes from `bytes` into `body`; returns how many bytes were consumed and whether the body ended.
    public mutating func decode(
        _ bytes: UnsafeRawBufferPointer,
        into body: inout [UInt8]
    ) throws(HTTP1ParseError) -> (consumed: Int, finished: Bool) {
        var offset = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch state {
            case .size(let scanned):
                guard let lineEnd = try findLineEnd(rest, from: scanned) else { return (offset, false) }
                let size = try parseChunkSizeLine(UnsafeRawBufferPointer(rebasing: rest[..<lineEnd]))
                offset += lineEnd + 2
                if size == 0 {
                    state = .trailers(scanned: 0)
                } else {
                    guard size <= maxBodyBytes - body.count else {
                        throw .contentTooLarge("chunked body over \(maxBodyBytes) bytes")
                    }
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                let count = min(remaining, rest.count)
                guard count > 0 else { return (offset, false) }
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<count]))
                offset += count
                state = count == remaining ? .dataEnd : .data(remaining: remaining - count)
            case .dataEnd:
                if let first = rest.first, first != HTTP1Grammar.cr { throw .badRequest("missing CRLF after chunk data") }
                guard rest.count >= 2 else { return (offset, false) }
                guard rest[1] == HTTP1Grammar.lf else { throw .badRequest("missing CRLF after chunk data") }
                offset += 2
                state = .size(scanned: 0)
            case .trailers(let scanned):
                switch try HTTP1FieldBlock.scan(rest, from: scanned, limit: maxTrailerBytes) {
                case .incomplete(let scanned):
                    state = .trailers(scanned: scanned)
                    return (offset, false)
                case .complete(let length):
                    let trailers = UnsafeRawBufferPointer(rebasing: rest[..<length])
                    try HTTP1FieldBlock.forEachLine(in: trailers) { (line) throws(HTTP1ParseError) in
                        _ = try HTTP1FieldLine(parsing: line)  // validated, then dropped
                    }
                    return (offset + length, true)
                }
            }
        }
    }

    /// Index of the CR of the CRLF ending the chunk-size line, or nil (state updated) when more bytes are needed.
    private mutating func findLineEnd(_ bytes: UnsafeRawBufferPointer, from scanned: Int) throws(HTTP1ParseError) -> Int? {
        let end = min(bytes.count, maxChunkLineBytes + 1)  // the CR may sit just past the longest line
        var index = scanned
        while index < end {
            switch bytes[index] {
            case HTTP1Grammar.cr:
                guard index + 1 < bytes.count else {
                    state = .size(scanned: index)
                    return nil
                }
                guard bytes[index + 1] == HTTP1Grammar.lf else { throw .badRequest("bare CR in chunk-size line") }
                return index
            case HTTP1Grammar.lf:
                throw .badRequest("bare LF in chunk-size line")
            default:
                index += 1
            }
        }
        guard end <= maxChunkLineBytes else { throw .badRequest("chunk-size line over \(maxChunkLineBytes) bytes") }
        state = .size(scanned: index)
        return nil
    }

    /// `chunk-size [chunk-ext]`: hex digits, then `*( BWS ";" BWS name [ BWS "=" BWS value ] )`.
    private func parseChunkSizeLine(_ line: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = HTTP1Grammar.hexValue(line[index]) {
            guard size <= (Int.max - digit) / 16 else { throw .badRequest("chunk size overflows") }
            size = size * 16 + digit
            index += 1
        }
        guard index > 0 else { throw .badRequest("invalid chunk size") }
        try Self.validateExtensions(UnsafeRawBufferPointer(rebasing: line[index...]))
        return size
    }

    private static func validateExtensions(_ bytes: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, HTTP1Grammar.isWhitespace(bytes[index]) { index += 1 }
        }
        func skipToken() throws(HTTP1ParseError) {
            let start = index
            while index < bytes.count, HTTP1Grammar.isTokenByte(bytes[index]) { index += 1 }
            guard index > start else { throw .badRequest("invalid chunk extension") }
        }
        while index < bytes.count {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == HTTP1Grammar.semicolon else {
                throw .badRequest("invalid chunk extension")
            }
            index += 1
            skipWhitespace()
            try skipToken()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == HTTP1Grammar.equals else { continue }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == HTTP1Grammar.quote {
                index = try endOfQuotedString(bytes, from: index)
            } else {
                try skipToken()
            }
        }
    }

    /// Index just past the quoted-string starting at `start` (RFC 9110 §5.6.4).
    private static func endOfQuotedString(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(HTTP1ParseError) -> Int {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case HTTP1Grammar.quote:
                return index + 1
            case HTTP1Grammar.backslash:
                guard index + 1 < bytes.count, isQuotedText(bytes[index + 1]) || bytes[index + 1] == HTTP1Grammar.quote
                    || bytes[index + 1] == HTTP1Grammar.backslash
                else {
                    throw .badRequest("invalid chunk extension")
                }
                index += 2
            default:
                guard isQuotedText(byte) else { throw .badRequest("invalid chunk extension") }
                index += 1
            }
        }
        throw .badRequest("unterminated quoted string in chunk extension")
    }

    /// qdtext: HTAB, SP, VCHAR other than DQUOTE and backslash, obs-text.
    private static func isQuotedText(_ byte: UInt8) -> Bool {
        byte == HTTP1Grammar.tab || (byte >= 0x20 && byte != 0x7F && byte != HTTP1Grammar.quote && byte != HTTP1Grammar.backslash)
    }
}
