import COpenSSL

/// A TLS client built directly on OpenSSL memory BIOs, the peer `TLSConnection` talks to in tests.
/// It verifies the server's chain against `trustedCAFile` and its name against "localhost".
final class TestTLSClient {
    struct Options {
        var trustedCAFile: String
        var alpnOffer: [String] = []
        /// OpenSSL protocol version numbers (`TLS1_2_VERSION`, ...).
        var minimumVersion = TLS1_2_VERSION
        var maximumVersion = TLS1_3_VERSION
        var certificateFile: String?
        var keyFile: String?
        /// A session from an earlier connection to resume.
        var session: OpaquePointer?
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let networkIn: OpaquePointer
    private let networkOut: OpaquePointer
    /// Application data received from the server.
    private(set) var received: [UInt8] = []
    /// OpenSSL's error queue when the client failed, nil while it has not.
    private(set) var failure: String?
    /// Whether the server's close_notify arrived.
    private(set) var receivedCloseNotify = false

    init(_ options: Options) {
        context = SSL_CTX_new(TLS_client_method())!
        if options.minimumVersion < TLS1_2_VERSION {
            // OpenSSL 3 allows TLS 1.0/1.1 only at security level 0.
            SSL_CTX_set_security_level(context, 0)
            SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0")
        }
        _ = CEciSSL_CTX_set_min_proto_version(context, options.minimumVersion)
        _ = CEciSSL_CTX_set_max_proto_version(context, options.maximumVersion)
        SSL_CTX_load_verify_locations(context, options.trustedCAFile, nil)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let certificateFile = options.certificateFile, let keyFile = options.keyFile {
            SSL_CTX_use_certificate_chain_file(context, certificateFile)
            SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM)
        }
        if !options.alpnOffer.isEmpty {
            let wire = options.alpnOffer.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count))
        }
        ssl = SSL_new(context)!
        SSL_set1_host(ssl, "localhost")
        if let session = options.session {
            SSL_set_session(ssl, session)
        }
        networkIn = BIO_new(BIO_s_mem())!
        networkOut = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, networkIn, networkOut)
        SSL_set_connect_state(ssl)
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }
    /// "TLSv1.3", "TLSv1.2", ...
    var negotiatedVersion: String { String(cString: SSL_get_version(ssl)) }
    var negotiatedCipher: String { String(cString: SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))) }
    var negotiatedALPN: String? {
        var name: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &name, &length)
        guard let name, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: name, count: Int(length)), as: UTF8.self)
    }
    var sessionWasReused: Bool { SSL_session_reused(ssl) == 1 }

    /// The current session for resumption; the caller frees it with `SSL_SESSION_free`.
    func copySession() -> OpaquePointer? { SSL_get1_session(ssl) }

    /// Handshakes, then reads whatever application data (and tickets, alerts) has arrived.
    func advance() {
        guard failure == nil, !receivedCloseNotify else { return }
        ERR_clear_error()
        if !isHandshakeComplete {
            let result = SSL_do_handshake(ssl)
            if result != 1 {
                note(result)
                return
            }
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var count = 0
            let result = SSL_read_ex(ssl, &buffer, buffer.count, &count)
            guard result == 1 else {
                note(result)
                return
            }
            received += buffer[..<count]
        }
    }

    /// Encrypts `bytes`; a failure (say, after a failed handshake) is recorded in `failure`.
    func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        ERR_clear_error()
        var written = 0
        let result = SSL_write_ex(ssl, bytes, bytes.count, &written)
        if result != 1 {
            note(result)
        }
    }

    /// Queues close_notify.
    func shutdown() {
        _ = SSL_shutdown(ssl)
    }

    func receive(_ ciphertext: [UInt8]) {
        if !ciphertext.isEmpty {
            precondition(BIO_write(networkIn, ciphertext, Int32(ciphertext.count)) == Int32(ciphertext.count))
        }
    }

    func takeCiphertext() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(networkOut)))
        if !out.isEmpty {
            precondition(BIO_read(networkOut, &out, Int32(out.count)) == Int32(out.count))
        }
        return out
    }

    private func note(_ result: Int32) {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            break
        case SSL_ERROR_ZERO_RETURN:
            receivedCloseNotify = true
        case let code:
            var messages: [String] = ["SSL_get_error \(code)"]
            while case let error = ERR_get_error(), error != 0 {
                messages.append(String(cString: ERR_reason_error_string(error)))
            }
            failure = messages.joined(separator: "; ")
        }
    }
}
