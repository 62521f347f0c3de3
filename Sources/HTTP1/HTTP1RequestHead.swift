public import HTTPTypes

/// A parsed request line and header block, plus what they say about the connection.
public struct HTTP1RequestHead: Sendable, Hashable {
    /// Method, path (the origin-form target), authority (the Host value) and the other header fields.
    ///
    /// The Host field is carried as the authority and is not repeated in `headerFields`.
    public var request: HTTPRequest
    /// Whether the connection stays open after the response (HTTP/1.1 default, HTTP/1.0 opt-in).
    public var keepAlive: Bool
    /// Whether an HTTP/1.1 client waits for `100 Continue` before sending its (non-empty) body.
    public var expectsContinue: Bool

    /// Creates a head from its parts.
    public init(request: HTTPRequest, keepAlive: Bool, expectsContinue: Bool) {
        self.request = request
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }
}
