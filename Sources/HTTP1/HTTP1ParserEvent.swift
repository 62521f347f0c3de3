/// What ``HTTP1RequestParser/next()`` reports: a complete head first, then the complete request.
public enum HTTP1ParserEvent: Sendable, Hashable {
    /// The header block is complete; the body (if any) may still be arriving.
    case head(HTTP1RequestHead)
    /// The whole request, body decoded (de-chunked), trailers dropped. A body sent with a Content-Length
    /// is a slice of the parser's input buffer, not a copy (its indices need not start at 0).
    case request(HTTP1RequestHead, body: ArraySlice<UInt8>)
}
