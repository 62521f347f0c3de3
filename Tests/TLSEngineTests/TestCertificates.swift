import Foundation

/// Certificates valid for one day, made with the `openssl` CLI once per test run in a temporary
/// directory that is removed when the test process exits.
struct TestCertificates: Sendable {
    let directory: String
    /// The CA that issued the server and client certificates.
    let caFile: String
    /// An unrelated CA.
    let otherCAFile: String
    /// Leaf (SAN localhost, 127.0.0.1) followed by the CA: what a server loads.
    let serverChainFile: String
    /// The leaf alone, for comparing with `openssl x509` output.
    let serverCertificateFile: String
    let serverKeyFile: String
    /// A P-256 key that belongs to no certificate here.
    let mismatchedKeyFile: String
    /// An RSA key: a different type from the server's P-256 certificate.
    let mismatchedRSAKeyFile: String
    /// Client certificate issued by `caFile`.
    let clientCertificateFile: String
    /// The same client key certified by `otherCAFile` instead.
    let otherClientCertificateFile: String
    let clientKeyFile: String

    /// The run's certificates, generated on first use.
    static func shared() throws -> TestCertificates {
        try generated.get()
    }

    private static let generated = Result { try TestCertificates.generate() }

    private static func generate() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tls-engine-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit {
            if case .success(let certificates) = TestCertificates.generated {
                try? FileManager.default.removeItem(atPath: certificates.directory)
            }
        }
        func path(_ name: String) -> String { directory + "/" + name }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

        for (name, subject) in [("ca", "/CN=TLSEngine Test CA"), ("other-ca", "/CN=Unrelated Test CA")] {
            try openssl(["req", "-x509"] + newKey + ["-days", "1", "-subj", subject,
                         "-keyout", path("\(name).key"), "-out", path("\(name).pem")])
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
            .write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)
        try openssl(["req"] + newKey + ["-subj", "/CN=localhost", "-keyout", path("server.key"), "-out", path("server.csr")])
        try openssl(["req"] + newKey + ["-subj", "/CN=client", "-keyout", path("client.key"), "-out", path("client.csr")])
        for (csr, ca, ext, out) in [
            ("server.csr", "ca", "server.ext", "server.pem"),
            ("client.csr", "ca", "client.ext", "client.pem"),
            ("client.csr", "other-ca", "client.ext", "client-other.pem"),
        ] {
            try openssl(["x509", "-req", "-in", path(csr), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                         "-CAcreateserial", "-days", "1", "-extfile", path(ext), "-out", path(out)])
        }
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("mismatched.key")])
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("mismatched-rsa.key")])
        let chain = try String(contentsOfFile: path("server.pem"), encoding: .utf8)
            + String(contentsOfFile: path("ca.pem"), encoding: .utf8)
        try chain.write(toFile: path("server-chain.pem"), atomically: true, encoding: .utf8)

        return TestCertificates(
            directory: directory, caFile: path("ca.pem"), otherCAFile: path("other-ca.pem"),
            serverChainFile: path("server-chain.pem"), serverCertificateFile: path("server.pem"),
            serverKeyFile: path("server.key"), mismatchedKeyFile: path("mismatched.key"),
            mismatchedRSAKeyFile: path("mismatched-rsa.key"),
            clientCertificateFile: path("client.pem"), otherClientCertificateFile: path("client-other.pem"),
            clientKeyFile: path("client.key"))
    }

    /// Runs the `openssl` CLI and returns its standard output; throws with its standard error on failure.
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLCommandError(arguments: arguments, output: String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}

/// An `openssl` CLI invocation that exited non-zero.
struct OpenSSLCommandError: Error, CustomStringConvertible {
    let arguments: [String]
    let output: String
    var description: String { "openssl \(arguments.joined(separator: " ")) failed: \(output)" }
}
