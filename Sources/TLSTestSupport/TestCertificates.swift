import Foundation

/// Certificates valid for one day, made with the `openssl` CLI once per test process in a temporary
/// directory that is removed when the process exits: two CAs, two server leaves with known serials,
/// keys that match no certificate, and client certificates from either CA.
public struct TestCertificates: Sendable {
    public let directory: String
    /// The CA that issued the server leaves and `clientCertificateFile`.
    public let caFile: String
    /// An unrelated CA.
    public let otherCAFile: String
    /// Leaf with serial `serverSerial` (SAN localhost, 127.0.0.1) followed by the CA: what a server loads.
    public let serverChainFile: String
    /// The leaf of `serverChainFile` alone, for comparing with `openssl x509` output.
    public let serverCertificateFile: String
    public let serverKeyFile: String
    /// Leaf with serial `otherServerSerial`, same SANs and CA, own key, followed by the CA.
    public let otherServerChainFile: String
    public let otherServerKeyFile: String
    /// A P-256 key that belongs to no certificate here.
    public let mismatchedKeyFile: String
    /// An RSA key: a different type from the servers' P-256 certificates.
    public let mismatchedRSAKeyFile: String
    /// Client certificate issued by `caFile`.
    public let clientCertificateFile: String
    /// The same client key certified by `otherCAFile` instead.
    public let otherClientCertificateFile: String
    public let clientKeyFile: String

    /// Serial of the leaf in `serverChainFile`, as `openssl x509 -serial` prints it.
    public static let serverSerial = "1001"
    /// Serial of the leaf in `otherServerChainFile`.
    public static let otherServerSerial = "2002"

    /// The process's certificates, generated on first use.
    public static func shared() throws -> TestCertificates {
        try generated.get()
    }

    private static let generated = Result { try TestCertificates.generate() }

    private static func generate() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-test-certificates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit {
            if case .success(let certificates) = TestCertificates.generated {
                try? FileManager.default.removeItem(atPath: certificates.directory)
            }
        }
        func path(_ name: String) -> String { directory + "/" + name }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

        for (name, subject) in [("ca", "/CN=TLS Test CA"), ("other-ca", "/CN=Unrelated Test CA")] {
            try ExternalTool.openssl(["req", "-x509"] + newKey + ["-days", "1", "-subj", subject,
                                     "-keyout", path("\(name).key"), "-out", path("\(name).pem")])
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=localhost"), ("server2", "/CN=localhost"), ("client", "/CN=client")] {
            try ExternalTool.openssl(["req"] + newKey + ["-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).csr")])
        }
        for (csr, ca, ext, serial, out) in [
            ("server", "ca", "server.ext", serverSerial, "server.pem"),
            ("server2", "ca", "server.ext", otherServerSerial, "server2.pem"),
            ("client", "ca", "client.ext", "3003", "client.pem"),
            ("client", "other-ca", "client.ext", "3004", "client-other.pem"),
        ] {
            try ExternalTool.openssl(["x509", "-req", "-in", path("\(csr).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                                      "-set_serial", "0x" + serial, "-days", "1", "-extfile", path(ext), "-out", path(out)])
        }
        try ExternalTool.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("mismatched.key")])
        try ExternalTool.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("mismatched-rsa.key")])
        let ca = try String(contentsOfFile: path("ca.pem"), encoding: .utf8)
        for name in ["server", "server2"] {
            try (String(contentsOfFile: path("\(name).pem"), encoding: .utf8) + ca)
                .write(toFile: path("\(name)-chain.pem"), atomically: true, encoding: .utf8)
        }

        return TestCertificates(
            directory: directory, caFile: path("ca.pem"), otherCAFile: path("other-ca.pem"),
            serverChainFile: path("server-chain.pem"), serverCertificateFile: path("server.pem"), serverKeyFile: path("server.key"),
            otherServerChainFile: path("server2-chain.pem"), otherServerKeyFile: path("server2.key"),
            mismatchedKeyFile: path("mismatched.key"), mismatchedRSAKeyFile: path("mismatched-rsa.key"),
            clientCertificateFile: path("client.pem"), otherClientCertificateFile: path("client-other.pem"),
            clientKeyFile: path("client.key"))
    }
}
