import Foundation

/// Short-lived certificates made with the `openssl` CLI once per test run in a temporary directory (removed
/// when the test process exits): a CA, two server leaves with known serials, and a client certificate.
struct TestCertificates: Sendable {
    let directory: String
    let caFile: String
    /// Leaf with serial 1001 (SAN localhost, 127.0.0.1) followed by the CA.
    let serverChainFile: String
    let serverKeyFile: String
    /// Leaf with serial 2002, same SANs, own key.
    let otherServerChainFile: String
    let otherServerKeyFile: String
    let clientCertificateFile: String
    let clientKeyFile: String

    static let serverSerial = "1001"
    static let otherServerSerial = "2002"

    /// The run's certificates, generated on first use.
    static func shared() throws -> TestCertificates {
        try generated.get()
    }

    private static let generated = Result { try TestCertificates.generate() }

    private static func generate() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-server-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit {
            if case .success(let certificates) = TestCertificates.generated {
                try? FileManager.default.removeItem(atPath: certificates.directory)
            }
        }
        func path(_ name: String) -> String { directory + "/" + name }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509"] + newKey + ["-days", "1", "-subj", "/CN=HTTPServer Test CA", "-keyout", path("ca.key"), "-out", path("ca.pem")])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
        for (name, subject, ext, serial) in [
            ("server", "/CN=localhost", "server.ext", serverSerial), ("server2", "/CN=localhost", "server.ext", otherServerSerial),
            ("client", "/CN=client", "client.ext", "3003"),
        ] {
            try openssl(["req"] + newKey + ["-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).csr")])
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                         "-set_serial", "0x" + serial, "-days", "1", "-extfile", path(ext), "-out", path("\(name).pem")])
        }
        let ca = try String(contentsOfFile: path("ca.pem"), encoding: .utf8)
        for name in ["server", "server2"] {
            try (String(contentsOfFile: path("\(name).pem"), encoding: .utf8) + ca)
                .write(toFile: path("\(name)-chain.pem"), atomically: true, encoding: .utf8)
        }
        return TestCertificates(
            directory: directory, caFile: path("ca.pem"),
            serverChainFile: path("server-chain.pem"), serverKeyFile: path("server.key"),
            otherServerChainFile: path("server2-chain.pem"), otherServerKeyFile: path("server2.key"),
            clientCertificateFile: path("client.pem"), clientKeyFile: path("client.key"))
    }

    private static func openssl(_ arguments: [String]) throws {
        let result = try ExternalTool.run("/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw ExternalTool.Failure(message: "openssl \(arguments.first ?? ""): \(result.stderr)") }
    }
}
