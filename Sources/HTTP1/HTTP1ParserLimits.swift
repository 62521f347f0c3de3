/// Size limits enforced by ``HTTP1RequestParser`` while it decodes a request.
public struct HTTP1ParserLimits: Sendable, Hashable {
    /// Largest request line plus header block (and, for chunked bodies, plus trailers); beyond it: 431.
    public var maxHeaderBytes = 65_536
    /// Largest decoded body; beyond it: 413.
    public var maxBodyBytes = 8 << 20
    /// Longest chunk-size line (extensions included, CRLF excluded); beyond it: 400.
    public var maxChunkLineBytes = 4_096

    /// Creates limits; every argument defaults to the value above.
    public init(maxHeaderBytes: Int = 65_536, maxBodyBytes: Int = 8 << 20, maxChunkLineBytes: Int = 4_096) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}
