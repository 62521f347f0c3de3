public import HTTPTypes

/// The HTTP protocol a request arrived on.
public enum HTTPProtocolVersion: String, Sendable {
    case http1_1 = "HTTP/1.1"
    case http2 = "HTTP/2"
}

/// A complete request, body included (bodies are bounded by the server's limit).
public struct HTTPServerRequest: Sendable {
    public var head: HTTPRequest
    public var body: [UInt8]
    public var protocolVersion: HTTPProtocolVersion

    public init(head: HTTPRequest, body: [UInt8], protocolVersion: HTTPProtocolVersion) {
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
        fields[.contentType] = contentType
        self.init(head: HTTPResponse(status: status, headerFields: fields), body: body)
    }
}

/// Answers requests. Called on an event loop thread: it must not block.
public protocol HTTPRequestHandler: Sendable {
    func handle(_ request: HTTPServerRequest) -> HTTPServerResponse
}
