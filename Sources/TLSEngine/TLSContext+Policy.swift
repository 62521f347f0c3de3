internal import COpenSSL

extension TLSContext {
    /// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only.
    static let tls12CipherList = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// TLS 1.3 suites: OpenSSL's default three (all AEAD with ephemeral key exchange by construction),
    /// AES-128-GCM preferred as in Mozilla's intermediate configuration and Go's crypto/tls. OpenSSL
    /// prefers AES-256-GCM, whose 14 rounds against 10 cost ~1.7k instructions more per 3.5 KB review
    /// and its answer (SSL_read_ex 16.2k -> 15.0k, SSL_write_ex 9.7k -> 9.3k; callgrind).
    static let tls13CipherSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

    /// Key exchange groups, most preferred first.
    static let groupList = "X25519:P-256"

    /// Names this server's sessions; OpenSSL refuses to resume sessions with client certificates without it.
    static let sessionIDContext: [UInt8] = Array("eci-profile".utf8)

    /// Versions, suites, groups, options, modes and session resumption.
    ///
    /// `SSL_MODE_RELEASE_BUFFERS` stays off: a webhook serves few, long-lived, busy connections from
    /// the API server, where freeing and reallocating 16 KiB record buffers per record costs more than
    /// the memory it saves on idle connections.
    static func applyPolicy(_ configuration: TLSConfiguration, to context: OpaquePointer) throws(TLSError) {
        try TLSError.require(
            CEciSSL_CTX_set_min_proto_version(context, configuration.minimumVersion.protocolVersion) == 1,
            call: "SSL_CTX_set_min_proto_version", reason: "cannot set the minimum TLS version")
        try TLSError.require(
            CEciSSL_CTX_set_max_proto_version(context, TLSVersion.v1_3.protocolVersion) == 1,
            call: "SSL_CTX_set_max_proto_version", reason: "cannot set the maximum TLS version")
        try TLSError.require(
            SSL_CTX_set_cipher_list(context, tls12CipherList) == 1,
            call: "SSL_CTX_set_cipher_list", reason: "cannot set the TLS 1.2 cipher suites")
        try TLSError.require(
            SSL_CTX_set_ciphersuites(context, tls13CipherSuites) == 1,
            call: "SSL_CTX_set_ciphersuites", reason: "cannot set the TLS 1.3 cipher suites")
        try TLSError.require(
            CEciSSL_CTX_set1_groups_list(context, groupList) == 1,
            call: "SSL_CTX_set1_groups_list", reason: "cannot set the key exchange groups")

        // The option, mode and cache-mode setters return bit masks, not a status: they cannot fail.
        SSL_CTX_set_options(
            context,
            CEciSSL_OP_NO_RENEGOTIATION() | CEciSSL_OP_NO_COMPRESSION() | CEciSSL_OP_CIPHER_SERVER_PREFERENCE())
        // `writePlaintext` loops until everything is written, from buffers that may move between calls.
        CEciSSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))

        // Resumption: TLS 1.3 tickets (one per handshake is enough for a client reconnecting) and
        // the TLS 1.2 server-side session cache.
        CEciSSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_SERVER))
        try TLSError.require(
            SSL_CTX_set_num_tickets(context, 1) == 1,
            call: "SSL_CTX_set_num_tickets", reason: "cannot set the number of session tickets")
        try TLSError.require(
            sessionIDContext.withUnsafeBufferPointer {
                SSL_CTX_set_session_id_context(context, $0.baseAddress, UInt32($0.count))
            } == 1,
            call: "SSL_CTX_set_session_id_context", reason: "cannot set the session id context")
    }
}

extension TLSVersion {
    /// OpenSSL's protocol version number.
    var protocolVersion: Int32 {
        switch self {
        case .v1_2: TLS1_2_VERSION
        case .v1_3: TLS1_3_VERSION
        }
    }
}
