/// The status line of a response and what a client needs to read its body and reuse the connection
/// (RFC 9112 §4, §6.3 and §9.3).
public struct HTTP1ResponseHead: Sendable, Equatable {
    /// How the body after the head is delimited.
    public enum BodyFraming: Sendable, Equatable {
        /// Exactly this many bytes (0 for 1xx, 204 and 304 answers).
        case length(Int)
        /// `Transfer-Encoding: chunked`: decode with ``HTTP1ChunkedDecoder``.
        case chunked
        /// The body ends when the server closes the connection.
        case untilClose
    }

    /// The three-digit status code.
    public var status: Int
    /// How the body is delimited.
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this body.
    public var keepAlive: Bool

    /// Parses the head at the start of `bytes`: nil while its empty line has not arrived, otherwise the
    /// head and its length in bytes (the body starts right after). Throws for a malformed head or one
    /// that cannot end within `maxBytes`.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maxBytes: Int
    ) throws(HTTP1ParseError) -> (head: HTTP1ResponseHead, length: Int)? {
        guard case .complete(let length) = try HTTP1FieldBlock.scan(bytes, from: 0, limit: maxBytes) else { return nil }
        let block = UnsafeRawBufferPointer(rebasing: bytes[..<length])
        let lineEnd = HTTP1Grammar.firstIndex(of: HTTP1Grammar.cr, in: block, from: 0) ?? block.count
        let (isHTTP11, status) = try parseStatusLine(UnsafeRawBufferPointer(rebasing: block[..<lineEnd]))
        var contentLength: Int?
        var hasTransferEncoding = false
        var isChunked = false
        var connectionClose = false
        var connectionKeepAlive = false
        try HTTP1FieldBlock.forEachLine(in: UnsafeRawBufferPointer(rebasing: block[(lineEnd + 2)...])) {
            (line) throws(HTTP1ParseError) in
            let field = try HTTP1FieldLine(parsing: line)
            if HTTP1Grammar.equalsLowercase(field.name, "content-length") {
                contentLength = try HTTP1HeadParser.contentLength(field.value, earlier: contentLength)
            } else if HTTP1Grammar.equalsLowercase(field.name, "transfer-encoding") {
                hasTransferEncoding = true
                // Only a final `chunked` delimits the body; any other final coding runs to the close.
                var lastCoding: UnsafeRawBufferPointer?
                HTTP1Grammar.forEachListElement(field.value) { lastCoding = $0 }
                isChunked = lastCoding.map { HTTP1Grammar.equalsLowercase($0, "chunked") } ?? false
            } else if HTTP1Grammar.equalsLowercase(field.name, "connection") {
                HTTP1Grammar.forEachListElement(field.value) { option in
                    connectionClose = connectionClose || HTTP1Grammar.equalsLowercase(option, "close")
                    connectionKeepAlive = connectionKeepAlive || HTTP1Grammar.equalsLowercase(option, "keep-alive")
                }
            }
        }
        let framing: BodyFraming
        if status < 200 || status == 204 || status == 304 {
            framing = .length(0)
        } else if hasTransferEncoding {
            framing = isChunked ? .chunked : .untilClose
        } else if let contentLength {
            framing = .length(contentLength)
        } else {
            framing = .untilClose
        }
        // A body framed by both Transfer-Encoding and Content-Length may be an attack: never reuse (§6.3).
        let ambiguous = hasTransferEncoding && contentLength != nil
        let persistent = isHTTP11 ? !connectionClose : connectionKeepAlive && !connectionClose
        let keepAlive = persistent && !ambiguous && framing != .untilClose
        return (HTTP1ResponseHead(status: status, framing: framing, keepAlive: keepAlive), length)
    }

    /// `HTTP/1.x SP 3DIGIT SP [reason-phrase]`; answers whether the version is 1.1 and the status.
    private static func parseStatusLine(_ line: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> (isHTTP11: Bool, status: Int) {
        let prefix = Array("HTTP/1.".utf8)
        guard line.count >= 12, line.starts(with: prefix), line[8] == HTTP1Grammar.space else {
            throw .badRequest("malformed status line")
        }
        guard line[7] == UInt8(ascii: "0") || line[7] == UInt8(ascii: "1") else {
            throw .versionNotSupported("unsupported HTTP version in status line")
        }
        var status = 0
        for byte in line[9..<12] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .badRequest("malformed status code") }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard status >= 100, line.count == 12 || line[12] == HTTP1Grammar.space else {
            throw .badRequest("malformed status code")
        }
        return (line[7] == UInt8(ascii: "1"), status)
    }
}
