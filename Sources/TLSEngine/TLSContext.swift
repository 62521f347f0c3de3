internal import COpenSSL

/// A server TLS context (OpenSSL `SSL_CTX`): certificate, key and policy, shared by many connections.
///
/// Immutable after `init`, so connections may be created from any thread (`SSL_new` is thread-safe on
/// a context that is no longer being configured). To change certificates, build a new context.
public final class TLSContext: @unchecked Sendable {
    /// The configuration this context was built from.
    public let configuration: TLSConfiguration
    /// Expiry (notAfter) of the leaf certificate, in seconds since 1970.
    public let certificateNotAfter: Double
    /// Serial number of the leaf certificate, as uppercase hex like `openssl x509 -serial`.
    public let certificateSerial: String

    /// The `SSL_CTX`, owned by this object.
    let handle: OpaquePointer
    /// Reached through OpenSSL's callback argument, so it lives exactly as long as `handle`.
    private let alpnSelector: ALPNSelector?

    /// Loads the certificate chain and key (checking they match) and applies the engine's TLS policy.
    public init(configuration: TLSConfiguration) throws {
        TLSError.clearErrorQueue()
        // Loading can leave entries behind even when it succeeds; sessions do not clear before each read.
        defer { TLSError.clearErrorQueue() }
        let alpnSelector = configuration.alpnProtocols.isEmpty ? nil : try ALPNSelector(protocols: configuration.alpnProtocols)
        guard let handle = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError(call: "SSL_CTX_new", reason: "cannot create a TLS server context")
        }
        do {
            try TLSContext.applyPolicy(configuration, to: handle)
            try TLSContext.loadIdentity(configuration, into: handle)
            if let clientCAFile = configuration.clientCAFile {
                try TLSContext.requireClientCertificates(signedBy: clientCAFile, in: handle)
            }
            let leaf = try TLSContext.leafCertificate(of: handle)
            self.certificateNotAfter = try TLSContext.notAfter(of: leaf)
            self.certificateSerial = try TLSContext.serialNumber(of: leaf)
        } catch {
            SSL_CTX_free(handle)
            throw error
        }
        alpnSelector?.install(on: handle)
        self.handle = handle
        self.alpnSelector = alpnSelector
        self.configuration = configuration
    }

    deinit {
        SSL_CTX_free(handle)
    }
}
