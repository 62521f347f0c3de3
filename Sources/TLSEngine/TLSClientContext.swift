internal import COpenSSL

/// A client TLS context (OpenSSL `SSL_CTX`): trusted CAs, verification mode and any client certificate.
///
/// Immutable after `init`, so connections may be created from any thread. Sessions made from it
/// verify the server's chain and name (see `TLSConnection.init(client:serverName:)`) unless the
/// configuration turns verification off.
public final class TLSClientContext: @unchecked Sendable {
    /// The `SSL_CTX`, owned by this object.
    let handle: OpaquePointer

    /// Loads the trust anchors and client identity and applies the engine's TLS policy.
    public init(configuration: TLSClientConfiguration) throws(TLSError) {
        TLSError.clearErrorQueue()
        // Loading can leave entries behind even when it succeeds; sessions do not clear before each read.
        defer { TLSError.clearErrorQueue() }
        guard let handle = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(call: "SSL_CTX_new", reason: "cannot create a TLS client context")
        }
        do {
            try Self.applyPolicy(to: handle)
            if configuration.verifiesServer {
                try Self.trust(configuration.trustedCertificates, in: handle)
                SSL_CTX_set_verify(handle, SSL_VERIFY_PEER, nil)
            } else {
                SSL_CTX_set_verify(handle, SSL_VERIFY_NONE, nil)
            }
            if let chain = configuration.certificateChain {
                try Self.useCertificateChain(chain, in: handle)
            }
            if let key = configuration.privateKey {
                try Self.usePrivateKey(key, in: handle)
            }
        } catch {
            SSL_CTX_free(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        SSL_CTX_free(handle)
    }

    /// TLS 1.2 and 1.3 with the server policy's suites and groups.
    private static func applyPolicy(to context: OpaquePointer) throws(TLSError) {
        try TLSError.require(
            CEciSSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1,
            call: "SSL_CTX_set_min_proto_version", reason: "cannot set the minimum TLS version")
        try TLSError.require(
            SSL_CTX_set_cipher_list(context, TLSContext.tls12CipherList) == 1,
            call: "SSL_CTX_set_cipher_list", reason: "cannot set the TLS 1.2 cipher suites")
        try TLSError.require(
            CEciSSL_CTX_set1_groups_list(context, TLSContext.groupList) == 1,
            call: "SSL_CTX_set1_groups_list", reason: "cannot set the key exchange groups")
        SSL_CTX_set_options(context, CEciSSL_OP_NO_RENEGOTIATION() | CEciSSL_OP_NO_COMPRESSION())
        CEciSSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
    }

    /// Adds the CAs of `source` to the context's store, or the system store when `source` is nil.
    private static func trust(_ source: TLSClientConfiguration.PEMSource?, in context: OpaquePointer) throws(TLSError) {
        switch source {
        case nil:
            try TLSError.require(
                SSL_CTX_set_default_verify_paths(context) == 1,
                call: "SSL_CTX_set_default_verify_paths", reason: "cannot load the system CA certificates")
        case .file(let path)?:
            try TLSError.require(
                SSL_CTX_load_verify_locations(context, path, nil) == 1,
                call: "SSL_CTX_load_verify_locations", reason: "cannot load CA certificates from \(path)")
        case .bytes(let pem)?:
            let certificates = try readCertificates(pem, what: "CA certificates")
            defer { certificates.forEach { X509_free($0) } }
            let store = SSL_CTX_get_cert_store(context)
            for certificate in certificates {
                try TLSError.require(
                    X509_STORE_add_cert(store, certificate) == 1,
                    call: "X509_STORE_add_cert", reason: "cannot trust a CA certificate")
            }
        }
    }

    private static func useCertificateChain(_ source: TLSClientConfiguration.PEMSource, in context: OpaquePointer) throws(TLSError) {
        switch source {
        case .file(let path):
            try TLSError.require(
                SSL_CTX_use_certificate_chain_file(context, path) == 1,
                call: "SSL_CTX_use_certificate_chain_file", reason: "cannot load the client certificate from \(path)")
        case .bytes(let pem):
            let certificates = try readCertificates(pem, what: "the client certificate")
            defer { certificates.forEach { X509_free($0) } }
            try TLSError.require(
                SSL_CTX_use_certificate(context, certificates[0]) == 1,
                call: "SSL_CTX_use_certificate", reason: "cannot use the client certificate")
            for intermediate in certificates.dropFirst() {
                try TLSError.require(
                    CEciSSL_CTX_add1_chain_cert(context, intermediate) == 1,
                    call: "SSL_CTX_add1_chain_cert", reason: "cannot add an intermediate of the client certificate")
            }
        }
    }

    private static func usePrivateKey(_ source: TLSClientConfiguration.PEMSource, in context: OpaquePointer) throws(TLSError) {
        switch source {
        case .file(let path):
            try TLSError.require(
                SSL_CTX_use_PrivateKey_file(context, path, SSL_FILETYPE_PEM) == 1,
                call: "SSL_CTX_use_PrivateKey_file", reason: "cannot load the client key from \(path)")
        case .bytes(let pem):
            let key = try withMemoryBIO(pem) { bio in PEM_read_bio_PrivateKey(bio, nil, nil, nil) }
            guard let key else { throw TLSError(call: "PEM_read_bio_PrivateKey", reason: "cannot read the client key") }
            defer { EVP_PKEY_free(key) }
            try TLSError.require(
                SSL_CTX_use_PrivateKey(context, key) == 1,
                call: "SSL_CTX_use_PrivateKey", reason: "cannot use the client key")
        }
        try TLSError.require(
            SSL_CTX_check_private_key(context) == 1,
            call: "SSL_CTX_check_private_key", reason: "the client key does not match the client certificate")
    }

    /// Every certificate in a PEM bundle, at least one; the caller frees them.
    private static func readCertificates(_ pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        let certificates = try withMemoryBIO(pem) { bio in
            var certificates: [OpaquePointer] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(certificate)
            }
            return certificates
        }
        // Reading stops with "no start line" at the end of the bundle; that is not a failure.
        TLSError.clearErrorQueue()
        guard !certificates.isEmpty else {
            throw TLSError(call: "PEM_read_bio_X509", reason: "no PEM certificate in \(what)")
        }
        return certificates
    }

    /// Calls `body` with a read-only memory BIO over `bytes`.
    private static func withMemoryBIO<Result>(
        _ bytes: [UInt8], _ body: (OpaquePointer) -> Result
    ) throws(TLSError) -> Result {
        let result: Result? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
        guard let result else { throw TLSError(call: "BIO_new_mem_buf", reason: "cannot read PEM bytes") }
        return result
    }
}
