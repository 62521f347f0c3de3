/// An HTTP status and body from the API server.
public struct KubernetesResponse: Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// Response body (JSON for the API server).
    public var body: [UInt8]

    /// Creates a response from its parts.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
