internal import COpenSSL

/// A failed OpenSSL operation: the call, what the engine was doing, and OpenSSL's error queue.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    /// The OpenSSL function that failed, e.g. `SSL_CTX_use_PrivateKey_file`.
    public var call: String
    /// What the engine was trying to do, in words.
    public var reason: String
    /// OpenSSL's error queue at the time of the failure, oldest first.
    public var openSSLErrors: [String]

    /// One line: reason, call and OpenSSL's errors.
    public var description: String {
        let details = openSSLErrors.isEmpty ? "" : ": " + openSSLErrors.joined(separator: "; ")
        return "\(reason) (\(call))\(details)"
    }

    /// Builds the error for a failed `call`, draining this thread's OpenSSL error queue into it.
    init(call: String, reason: String, extra: [String] = []) {
        self.call = call
        self.reason = reason
        self.openSSLErrors = TLSError.drainErrorQueue() + extra
    }

    /// Empties this thread's OpenSSL error queue so the next failure reports only its own errors
    /// (and `SSL_get_error` sees only the errors of the call it explains).
    ///
    /// The queue is nearly always empty already: every failure drains it into its `TLSError`.
    /// `ERR_clear_error` resets all 16 slots regardless, ~920 instructions per call (OpenSSL 3.0,
    /// callgrind); looking first costs ~200.
    static func clearErrorQueue() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    /// Takes every entry off this thread's OpenSSL error queue, oldest first.
    private static func drainErrorQueue() -> [String] {
        var messages: [String] = []
        var data: UnsafePointer<CChar>?
        var flags: Int32 = 0
        while true {
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var message = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
                ERR_error_string_n(code, buffer.baseAddress, buffer.count)
                return String(cString: buffer.baseAddress!)
            }
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 {
                message += " (\(String(cString: data)))"
            }
            messages.append(message)
        }
        return messages
    }
}

extension TLSError {
    /// Throws the error for `call` when an OpenSSL result check fails.
    static func require(_ succeeded: Bool, call: String, reason: @autoclosure () -> String) throws(TLSError) {
        if !succeeded {
            throw TLSError(call: call, reason: reason())
        }
    }
}
