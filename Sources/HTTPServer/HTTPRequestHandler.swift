public import HTTPTypes

/// The HTTP protocol a request arrived on.
public enum HTTPProtocolVersion: String, Sendable {
    case http1_1 = "HTTP/1.1"
    case http2 = "HTTP/2"
}

/// A complete request, body included (bodies are bounded by the server's limit).
public struct HTTPServerRequest: Sendable {
    public var head: HTTPRequest
    /// The body; over HTTP/1.1 usually a slice of the connection's input buffer rather than a copy,
    /// so its indices need not start at 0.
    public var body: ArraySlice<UInt8>
    public var protocolVersion: HTTPProtocolVersion

    public init(head: HTTPRequest, body: ArraySlice<UInt8>, protocolVersion: HTTPProtocolVersion) {
        self.head = head
        self.body = body
        self.protocolVersion = protocolVersion
    }
}

/// A complete response.
public struct HTTPServerResponse: Sendable {
    public var head: HTTPResponse
    public var body: [UInt8]

    public init(head: HTTPResponse, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    /// A response with `status`, a `Content-Type` and `body`.
    public init(status: HTTPResponse.Status, contentType: String, body: [UInt8]) {
        var fields = HTTPFields()
        // Appended: setting `fields[.contentType]` searches for fields to replace first, ~0.3k instructions
        // more per response (callgrind).
        fields.append(HTTPField(name: .contentType, value: contentType))
        self.init(head: HTTPResponse(status: status, headerFields: fields), body: body)
    }
}

/// A handler's answer to one request: a response now, or one that comes later.
public enum HTTPHandlerAnswer: Sendable {
    /// The response, serialized at once.
    case now(HTTPServerResponse)
    /// The server calls `start` once, on the loop, with a responder the handler completes later
    /// from any thread (for work that must not block the loop, such as a lookup over the network).
    case later(_ start: @Sendable (HTTPResponder) -> Void)
}

/// Completes one deferred request: the response is posted back onto its connection's loop. On
/// HTTP/1.1 the requests pipelined behind it wait (responses keep their order); on HTTP/2 only its
/// own stream waits. If the connection (or stream) is gone by then, the response is dropped.
public struct HTTPResponder: Sendable {
    let deliver: @Sendable (HTTPServerResponse) -> Void

    /// Sends `response`; only the first call of a responder counts.
    public func respond(_ response: HTTPServerResponse) {
        deliver(response)
    }
}

/// Answers requests. Called on an event loop thread: it must not block (work that could block answers
/// `.later`).
public protocol HTTPRequestHandler: Sendable {
    func handle(_ request: HTTPServerRequest) -> HTTPHandlerAnswer
}
