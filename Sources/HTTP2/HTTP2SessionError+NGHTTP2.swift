internal import CNGHTTP2

extension HTTP2SessionError {
    /// An error for a failed nghttp2 call, with nghttp2's own message for `code`.
    static func nghttp2(_ call: String, code: Int) -> HTTP2SessionError {
        .library(call: call, code: code, message: String(cString: nghttp2_strerror(Int32(clamping: code))))
    }

    /// The HTTP/2 error code the GOAWAY carries when the session ends with this error.
    var goAwayErrorCode: UInt32 {
        switch self {
        case .rapidReset, .controlFrameFlood, .continuationFlood:
            return NGHTTP2_ENHANCE_YOUR_CALM.rawValue
        case .library(_, let code, _):
            switch Int32(clamping: code) {
            case NGHTTP2_ERR_FLOODED.rawValue, NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue:
                return NGHTTP2_ENHANCE_YOUR_CALM.rawValue
            case NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue:
                return NGHTTP2_PROTOCOL_ERROR.rawValue
            default:
                return NGHTTP2_INTERNAL_ERROR.rawValue
            }
        }
    }
}
