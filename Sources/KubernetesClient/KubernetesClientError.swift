/// Why a call to the API server failed.
public enum KubernetesClientError: Error, Equatable, CustomStringConvertible {
    /// The connection failed: `call` names the failing step (a system call such as `connect` or
    /// `recv`, an OpenSSL function such as `SSL_do_handshake`, `HTTP/1.1` for a malformed response,
    /// `URL` for an unusable server URL), `code` is its `errno` (`ETIMEDOUT` for a timeout; 0 when
    /// there is none) and `message` says what happened.
    case transport(call: String, code: Int, message: String)
    /// The server answered with a non-success HTTP status (or a watch `ERROR` event).
    case status(KubernetesStatus)
    /// The response could not be decoded as `what`.
    case decoding(what: String, reason: String)
    /// The response body (or one watch line) exceeded the configured limit.
    case responseTooLarge(limit: Int)
    /// The bearer token file could not be read.
    case unreadableTokenFile(String)
    /// The calling task was cancelled and the transfer stopped.
    case cancelled

    public var description: String {
        switch self {
        case .transport(let call, let code, let message): "\(call) failed (\(code)): \(message)"
        case .status(let status): "API server answered \(status.code) \(status.reason ?? ""): \(status.message ?? "")"
        case .decoding(let what, let reason): "cannot decode \(what): \(reason)"
        case .responseTooLarge(let limit): "response exceeds \(limit) bytes"
        case .unreadableTokenFile(let path): "cannot read token file \(path)"
        case .cancelled: "cancelled"
        }
    }
}
