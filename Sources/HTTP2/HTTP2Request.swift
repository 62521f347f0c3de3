public import HTTPTypes

/// A complete request received on one HTTP/2 stream.
public struct HTTP2Request: Sendable {
    /// The stream to answer with `HTTP2ServerSession.respond(streamID:response:body:)`.
    public var streamID: Int32
    /// The request head: pseudo-header fields and header fields.
    public var request: HTTPRequest
    /// The whole request body.
    public var body: [UInt8]

    /// Creates a request.
    public init(streamID: Int32, request: HTTPRequest, body: [UInt8]) {
        self.streamID = streamID
        self.request = request
        self.body = body
    }
}
