/// Why an HTTP/2 session ended; the connection should be closed once its output is flushed.
public enum HTTP2SessionError: Error, Equatable, CustomStringConvertible {
    /// Too many streams reset or abandoned by the client within one second (CVE-2023-44487).
    case rapidReset(limitPerSecond: Int)
    /// Too many control frames (or empty DATA frames) within one second.
    case controlFrameFlood(limitPerSecond: Int)
    /// Too many CONTINUATION frames after one HEADERS frame.
    case continuationFlood(limit: Int)
    /// An nghttp2 call failed; `code` is its `nghttp2_error` value.
    case library(call: String, code: Int, message: String)

    /// A one-line reason for logs.
    public var reason: String {
        switch self {
        case .rapidReset(let limit):
            return "client reset more than \(limit) streams per second"
        case .controlFrameFlood(let limit):
            return "client sent more than \(limit) control frames per second"
        case .continuationFlood(let limit):
            return "client sent more than \(limit) CONTINUATION frames for one header block"
        case .library(let call, let code, let message):
            return "\(call) failed: \(message) (\(code))"
        }
    }

    /// Same as `reason`.
    public var description: String { reason }
}
