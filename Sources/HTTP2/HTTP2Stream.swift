import HTTPTypes

/// What the session remembers about one open stream, from HEADERS until the stream closes.
struct HTTP2Stream {
    /// The request head, once its header block is complete.
    var request: HTTPRequest?
    /// Request body bytes received so far; handed over (and emptied) when the request completes.
    var body: [UInt8] = []
    /// END_STREAM received from the client.
    var requestComplete = false
    /// A response was submitted, by the caller or by the module itself (413/431).
    var answered = false
    /// The module answered the stream itself; further request bytes are dropped.
    var discardingBody = false
    /// Response body bytes and how many of them nghttp2 has taken.
    var responseBody: [UInt8] = []
    var responseOffset = 0
}
