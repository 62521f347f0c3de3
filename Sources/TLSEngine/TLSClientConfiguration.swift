/// What a client `TLSClientContext` is built from: whom to trust and, for mutual TLS, who we are.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// PEM material given as a file path or as the bytes themselves.
    public enum PEMSource: Sendable, Equatable {
        /// A PEM file, read when the context is built.
        case file(String)
        /// PEM bytes.
        case bytes([UInt8])
    }

    /// CA certificates that verify the server; nil trusts the system store (OpenSSL's default paths).
    public var trustedCertificates: PEMSource?
    /// Whether the server's certificate chain and name are verified; false accepts any server.
    public var verifiesServer: Bool
    /// Client certificate (leaf first, then any intermediates) for mutual TLS.
    public var certificateChain: PEMSource?
    /// Private key of the client certificate.
    public var privateKey: PEMSource?

    /// Creates a configuration; by default the server is verified against the system store.
    public init(
        trustedCertificates: PEMSource? = nil,
        verifiesServer: Bool = true,
        certificateChain: PEMSource? = nil,
        privateKey: PEMSource? = nil
    ) {
        self.trustedCertificates = trustedCertificates
        self.verifiesServer = verifiesServer
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}
