/// What a server `TLSContext` is built from: files on disk plus protocol policy.
public struct TLSConfiguration: Sendable {
    /// PEM file holding the leaf certificate followed by any intermediates.
    public var certificateChainFile: String
    /// PEM file holding the private key of the leaf certificate.
    public var privateKeyFile: String
    /// Lowest version accepted; TLS 1.3 is always the highest.
    public var minimumVersion: TLSVersion
    /// ALPN protocol names in server preference order; empty disables ALPN.
    public var alpnProtocols: [String]
    /// PEM bundle of CAs trusted for client certificates; when set, every client must present one.
    public var clientCAFile: String?

    /// A server configuration accepting TLS 1.2 and 1.3, offering `h2` then `http/1.1`, without client certificates.
    public static func makeServerConfiguration(certificateChainFile: String, privateKeyFile: String) -> TLSConfiguration {
        TLSConfiguration(
            certificateChainFile: certificateChainFile,
            privateKeyFile: privateKeyFile,
            minimumVersion: .v1_2,
            alpnProtocols: ["h2", "http/1.1"],
            clientCAFile: nil
        )
    }
}
