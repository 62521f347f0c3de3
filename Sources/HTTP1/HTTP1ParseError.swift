public import HTTPTypes

/// A message the parser refuses: for a request, answer with `status` and close the connection; for a
/// response (``HTTP1ResponseHead``, ``HTTP1ChunkedDecoder`` in the Kubernetes client) `reason` says what is wrong.
public struct HTTP1ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400, 413, 417, 431, 501 or 505.
    public var status: HTTPResponse.Status
    /// A short, log-safe explanation (never contains request bytes).
    public var reason: String

    /// Creates an error with a status and a reason.
    public init(status: HTTPResponse.Status, reason: String) {
        self.status = status
        self.reason = reason
    }

    /// The status code and reason, for logs.
    public var description: String { "HTTP1ParseError(\(status.code): \(reason))" }

    static func badRequest(_ reason: String) -> Self { Self(status: .badRequest, reason: reason) }
    static func contentTooLarge(_ reason: String) -> Self { Self(status: .contentTooLarge, reason: reason) }
    static func headersTooLarge(_ reason: String) -> Self { Self(status: .requestHeaderFieldsTooLarge, reason: reason) }
    static func notImplemented(_ reason: String) -> Self { Self(status: .notImplemented, reason: reason) }
    static func expectationFailed(_ reason: String) -> Self { Self(status: .expectationFailed, reason: reason) }
    static func versionNotSupported(_ reason: String) -> Self { Self(status: .httpVersionNotSupported, reason: reason) }
}
