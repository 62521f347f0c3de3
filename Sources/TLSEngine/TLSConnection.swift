internal import COpenSSL
internal import Glibc


/// One TLS session (OpenSSL `SSL`), server or client side, driven entirely through memory: the
/// caller feeds it ciphertext from the socket and drains ciphertext to send (see
/// `TLSTransportBuffers`). Use from one thread at a time.
public final class TLSConnection {
    /// Keeps the `SSL_CTX` (a `TLSContext` or `TLSClientContext`) alive for as long as this `SSL` uses it.
    private let context: AnyObject
    /// The `SSL`, owned by this object; it owns the BIO over `buffers`.
    private let ssl: OpaquePointer
    /// Ciphertext on its way in and out; outlives the `SSL` (freed in `deinit`).
    private let buffers = TLSTransportBuffers()
    /// Set once the session has failed; OpenSSL must not be driven (or shut down) after that.
    private var failure: TLSError?

    /// Largest plaintext a single TLS record carries (RFC 8446 §5.1).
    private static let maxRecordPlaintext = 16_384

    /// Creates a session in server (accept) mode.
    public convenience init(context: TLSContext) throws {
        try self.init(handle: context.handle, owner: context)
        SSL_set_accept_state(ssl)
    }

    /// Creates a session in client (connect) mode for `serverName`, a DNS name or an IP address
    /// (IPv6 without brackets): a name is sent as SNI, and when the context verifies servers the
    /// certificate must match the name or address. The first `readPlaintext` starts the handshake.
    public convenience init(client context: TLSClientContext, serverName: String) throws(TLSError) {
        try self.init(handle: context.handle, owner: context)
        let isAddress = Self.isIPAddress(serverName)
        if !isAddress {
            try TLSError.require(
                CEciSSL_set_tlsext_host_name(ssl, serverName) == 1,
                call: "SSL_set_tlsext_host_name", reason: "cannot send the server name \(serverName)")
        }
        let parameters = SSL_get0_param(ssl)
        X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        try TLSError.require(
            isAddress
                ? X509_VERIFY_PARAM_set1_ip_asc(parameters, serverName) == 1
                : X509_VERIFY_PARAM_set1_host(parameters, serverName, 0) == 1,
            call: isAddress ? "X509_VERIFY_PARAM_set1_ip_asc" : "X509_VERIFY_PARAM_set1_host",
            reason: "cannot expect the server name \(serverName)")
        SSL_set_connect_state(ssl)
    }

    /// An `SSL` on `handle` with the BIO over `buffers`, in neither mode yet.
    private init(handle: OpaquePointer, owner: AnyObject) throws(TLSError) {
        TLSError.clearErrorQueue()
        guard let ssl = SSL_new(handle) else {
            throw TLSError(call: "SSL_new", reason: "cannot create a TLS session")
        }
        guard let bio = buffers.makeBIO() else {
            let error = TLSError(call: "BIO_new", reason: "cannot create the transport BIO")
            SSL_free(ssl)
            throw error
        }
        // One BIO for both directions: SSL_set_bio takes the one reference.
        SSL_set_bio(ssl, bio, bio)
        // A record's header and body in one BIO read rather than two: ~0.4k instructions less per
        // HTTP/1.1 request (callgrind). Records read ahead are counted by `SSL_has_pending`, not by
        // `SSL_pending`, which is why `readPlaintext(into:)` asks the former.
        SSL_set_read_ahead(ssl, 1)
        self.context = owner
        self.ssl = ssl
    }

    /// Whether `name` is an IPv4 or IPv6 address literal rather than a DNS name.
    private static func isIPAddress(_ name: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1
    }

    deinit {
        SSL_free(ssl)
    }

    /// Hands OpenSSL a copy of ciphertext read from the socket; call `readPlaintext(into:)` next.
    public func receive(ciphertext: UnsafeRawBufferPointer) {
        guard failure == nil, !ciphertext.isEmpty else { return }
        buffers.keep(ciphertext)
    }

    /// `receive(ciphertext:)` and `readPlaintext(into:)` in one, without copying `ciphertext`
    /// unless OpenSSL leaves some of it unread.
    public func readPlaintext(from ciphertext: UnsafeRawBufferPointer, into plaintext: inout [UInt8]) -> TLSReadResult {
        guard failure == nil, !ciphertext.isEmpty else { return readPlaintext(into: &plaintext) }
        return buffers.lending(ciphertext) { readPlaintext(into: &plaintext) }
    }

    /// Whether there is ciphertext to send (`takeCiphertext(into:)`).
    public var hasPendingCiphertext: Bool {
        !buffers.outgoing.isEmpty
    }

    /// Whether the handshake has finished.
    public var isHandshakeComplete: Bool {
        SSL_is_init_finished(ssl) == 1
    }

    /// The protocol chosen by ALPN; nil when the client offered nothing this server speaks, or offered nothing.
    public var negotiatedALPN: String? {
        var name: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &name, &length)
        guard let name, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: name, count: Int(length)), as: UTF8.self)
    }

    /// Queues close_notify (send it with `takeCiphertext(into:)`); does nothing before the
    /// handshake finished or after a failure, when there is no session to close.
    public func close() {
        guard failure == nil, isHandshakeComplete else { return }
        TLSError.clearErrorQueue()
        // 0 means "sent, peer's close_notify not yet seen", which is all a server needs.
        if SSL_shutdown(ssl) < 0 {
            TLSError.clearErrorQueue()
        }
    }

    /// Drives the handshake when needed, then appends all plaintext available to `plaintext`.
    ///
    /// Reading can produce ciphertext (handshake flights, session tickets, alerts, key updates):
    /// check `hasPendingCiphertext` after every call.
    ///
    /// Maintainers' note: once the handshake is done, reads and writes leave this thread's OpenSSL
    /// error queue as they find it rather than emptying it first: looking costs ~200 instructions
    /// a call, two calls per HTTP/1.1 request (callgrind). The queue is empty anyway (every failure
    /// drains it into its `TLSError`, contexts are built on an emptied queue and leave it empty);
    /// `errorCode(of:)` keeps an entry left by other code from failing a read that only waits for input.
    public func readPlaintext(into plaintext: inout [UInt8]) -> TLSReadResult {
        if let failure = failure { return .failed(failure) }
        if !isHandshakeComplete {
            TLSError.clearErrorQueue()
            let result = SSL_do_handshake(ssl)
            if result != 1 {
                return outcome(ofFailed: "SSL_do_handshake", result: result)
            }
        }
        while true {
            // Plaintext never exceeds the ciphertext behind it, so unread input bounds the next read;
            // OpenSSL's own buffer (plaintext left of a record, records read ahead) holds a record at most.
            let capacity = SSL_has_pending(ssl) == 1
                ? TLSConnection.maxRecordPlaintext : min(buffers.pendingInput, TLSConnection.maxRecordPlaintext)
            if capacity == 0 {
                return SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN != 0 ? .closed : .ok
            }
            var result: Int32 = 0
            plaintext.append(addingCapacity: capacity) { span in
                span.withUnsafeMutableBufferPointer { buffer, initialized in
                    var count = 0
                    result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
                    initialized = count
                }
            }
            if result != 1 {
                return outcome(ofFailed: "SSL_read_ex", result: result)
            }
        }
    }

    /// Encrypts all of `bytes` into pending ciphertext; the handshake must be complete.
    public func writePlaintext(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure = failure { throw failure }
        var offset = 0
        while offset < bytes.count {
            var written = 0
            let result = SSL_write_ex(ssl, bytes.baseAddress! + offset, bytes.count - offset, &written)
            guard result == 1 else {
                let code = errorCode(of: result)
                let error = TLSError(call: "SSL_write_ex", reason: "cannot encrypt application data", extra: [Self.name(of: code)])
                if code == SSL_ERROR_SSL || code == SSL_ERROR_SYSCALL { failure = error }
                throw error
            }
            offset += written
        }
    }

    /// Appends all pending ciphertext (handshake messages, records, alerts) to `out`; into an
    /// empty `out` by exchanging buffers, without a copy.
    public func takeCiphertext(into out: inout [UInt8]) {
        guard !buffers.outgoing.isEmpty else { return }
        if out.isEmpty {
            swap(&out, &buffers.outgoing)
        } else {
            out.append(contentsOf: buffers.outgoing)
            buffers.outgoing.removeAll(keepingCapacity: true)
        }
    }

    /// Maps a non-success result of `call` to a read result: retry conditions are `.ok`,
    /// close_notify is `.closed`, anything else fails the session for good.
    private func outcome(ofFailed call: String, result: Int32) -> TLSReadResult {
        let code = errorCode(of: result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .ok
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            var extra = [Self.name(of: code)]
            let verification = SSL_get_verify_result(ssl)
            if verification != X509_V_OK {
                extra.append("peer certificate: " + String(cString: X509_verify_cert_error_string(verification)))
            }
            let error = TLSError(call: call, reason: isHandshakeComplete ? "TLS record failure" : "TLS handshake failure", extra: extra)
            failure = error
            return .failed(error)
        }
    }

    /// `SSL_get_error` for a failed read or write. It answers `SSL_ERROR_SSL` (or `_SYSCALL`) whenever
    /// the error queue holds an entry, even one left by unrelated code before the call (see
    /// `readPlaintext(into:)`); a read that stopped for want of input (OpenSSL is reading, the BIO
    /// asked to retry) has failed only for that reason, so it is told as such and the stale entries go.
    private func errorCode(of result: Int32) -> Int32 {
        let code = SSL_get_error(ssl, result)
        guard code == SSL_ERROR_SSL || code == SSL_ERROR_SYSCALL, SSL_want(ssl) == SSL_READING,
              BIO_test_flags(SSL_get_rbio(ssl), BIO_FLAGS_READ) != 0 else { return code }
        TLSError.clearErrorQueue()
        return SSL_ERROR_WANT_READ
    }

    /// The name of an `SSL_get_error` code.
    private static func name(of code: Int32) -> String {
        switch code {
        case SSL_ERROR_SSL: "SSL_ERROR_SSL"
        case SSL_ERROR_SYSCALL: "SSL_ERROR_SYSCALL"
        case SSL_ERROR_WANT_READ: "SSL_ERROR_WANT_READ"
        case SSL_ERROR_WANT_WRITE: "SSL_ERROR_WANT_WRITE"
        case SSL_ERROR_ZERO_RETURN: "SSL_ERROR_ZERO_RETURN"
        default: "SSL error \(code)"
        }
    }
}

@available(*, unavailable)
extension TLSConnection: Sendable {}
