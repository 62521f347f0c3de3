internal import COpenSSL

extension TLSContext {
    /// Loads the chain and key and checks the key belongs to the leaf certificate.
    static func loadIdentity(_ configuration: TLSConfiguration, into context: OpaquePointer) throws(TLSError) {
        let chainFile = configuration.certificateChainFile
        let keyFile = configuration.privateKeyFile
        try TLSError.require(
            SSL_CTX_use_certificate_chain_file(context, chainFile) == 1,
            call: "SSL_CTX_use_certificate_chain_file",
            reason: "cannot load the certificate chain from \(chainFile)")
        try TLSError.require(
            SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1,
            call: "SSL_CTX_use_PrivateKey_file",
            reason: "cannot use the private key from \(keyFile) with the certificate from \(chainFile)")
        try TLSError.require(
            SSL_CTX_check_private_key(context) == 1,
            call: "SSL_CTX_check_private_key",
            reason: "the private key in \(keyFile) does not match the certificate in \(chainFile)")
    }

    /// Requires every client to present a certificate issued by a CA in `caFile`, and names those
    /// CAs in the CertificateRequest.
    static func requireClientCertificates(signedBy caFile: String, in context: OpaquePointer) throws(TLSError) {
        try TLSError.require(
            SSL_CTX_load_verify_locations(context, caFile, nil) == 1,
            call: "SSL_CTX_load_verify_locations", reason: "cannot load client CA certificates from \(caFile)")
        guard let names = SSL_load_client_CA_file(caFile) else {
            throw TLSError(call: "SSL_load_client_CA_file", reason: "cannot read client CA names from \(caFile)")
        }
        SSL_CTX_set_client_CA_list(context, names)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
    }

    /// The leaf certificate loaded into `context` (owned by the context).
    static func leafCertificate(of context: OpaquePointer) throws(TLSError) -> OpaquePointer {
        guard let leaf = SSL_CTX_get0_certificate(context) else {
            throw TLSError(call: "SSL_CTX_get0_certificate", reason: "no certificate loaded")
        }
        return leaf
    }

    /// The leaf's notAfter in seconds since 1970.
    static func notAfter(of leaf: OpaquePointer) throws(TLSError) -> Double {
        guard let notAfter = X509_get0_notAfter(leaf), let epoch = ASN1_TIME_set(nil, 0) else {
            throw TLSError(call: "X509_get0_notAfter", reason: "cannot read the certificate's expiry")
        }
        defer { ASN1_TIME_free(epoch) }
        var days: Int32 = 0
        var seconds: Int32 = 0
        try TLSError.require(
            ASN1_TIME_diff(&days, &seconds, epoch, notAfter) == 1,
            call: "ASN1_TIME_diff", reason: "cannot convert the certificate's expiry")
        return Double(days) * 86_400 + Double(seconds)
    }

    /// The leaf's serial number in uppercase hex, two digits per byte, as `openssl x509 -serial` prints it.
    static func serialNumber(of leaf: OpaquePointer) throws(TLSError) -> String {
        guard let serial = X509_get0_serialNumber(leaf), let data = ASN1_STRING_get0_data(serial) else {
            throw TLSError(call: "X509_get0_serialNumber", reason: "cannot read the certificate's serial number")
        }
        let bytes = UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(serial)))
        let digits = Array("0123456789ABCDEF".utf8)
        var hex: [UInt8] = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? [UInt8(ascii: "-")] : []
        for byte in bytes.isEmpty ? [0] : Array(bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
