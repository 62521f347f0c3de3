import Foundation
import Testing
import TLSEngine
import TLSTestSupport

@Suite struct TLSContextTests {
    private func configuration(_ certificates: TestCertificates) -> TLSConfiguration {
        .makeServerConfiguration(
            certificateChainFile: certificates.serverChainFile, privateKeyFile: certificates.serverKeyFile)
    }

    @Test func defaultConfigurationFollowsThePolicy() {
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChainFile: "c.pem", privateKeyFile: "k.pem")
        #expect(configuration.minimumVersion == .v1_2)
        #expect(configuration.alpnProtocols == ["h2", "http/1.1"])
        #expect(configuration.clientCAFile == nil)
    }

    @Test func serialAndExpiryMatchTheOpenSSLCommandLine() throws {
        let certificates = try TestCertificates.shared()
        let context = try TLSContext(configuration: configuration(certificates))
        let printed = try ExternalTool.openssl(
            ["x509", "-in", certificates.serverCertificateFile, "-noout", "-serial", "-enddate", "-dateopt", "iso_8601"])
        var fields: [String: String] = [:]
        for line in printed.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            fields[String(parts[0])] = String(parts[1])
        }
        #expect(context.certificateSerial == fields["serial"])

        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        let notAfter = try #require(formatter.date(from: fields["notAfter"] ?? ""))
        #expect(context.certificateNotAfter == notAfter.timeIntervalSince1970)
        // Issued for one day just now.
        #expect(abs(context.certificateNotAfter - Date().timeIntervalSince1970 - 86_400) < 600)
    }

    enum MismatchedKey: CaseIterable { case sameType, otherType }

    @Test(arguments: MismatchedKey.allCases)
    func keyThatDoesNotMatchTheCertificateIsRejected(key: MismatchedKey) throws {
        let certificates = try TestCertificates.shared()
        var configuration = configuration(certificates)
        switch key {
        case .sameType: configuration.privateKeyFile = certificates.mismatchedKeyFile
        case .otherType: configuration.privateKeyFile = certificates.mismatchedRSAKeyFile
        }
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.description.contains("private key"))
        #expect(error.description.contains(configuration.privateKeyFile))
        switch key {
        case .sameType:
            // Loading the key already compares it with the certificate of its type.
            #expect(error.call == "SSL_CTX_use_PrivateKey_file")
            #expect(error.openSSLErrors.contains { $0.contains("key values mismatch") })
        case .otherType:
            // An RSA key loads beside an EC certificate; only the final check notices.
            #expect(error.call == "SSL_CTX_check_private_key")
            #expect(error.description.contains("does not match"))
        }
    }

    @Test func missingCertificateFileIsRejected() throws {
        let certificates = try TestCertificates.shared()
        var configuration = configuration(certificates)
        configuration.certificateChainFile = certificates.directory + "/absent.pem"
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.call == "SSL_CTX_use_certificate_chain_file")
        #expect(error.description.contains("absent.pem"))
        #expect(!error.openSSLErrors.isEmpty)
    }

    @Test func missingKeyFileIsRejected() throws {
        let certificates = try TestCertificates.shared()
        var configuration = configuration(certificates)
        configuration.privateKeyFile = certificates.directory + "/absent.key"
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.call == "SSL_CTX_use_PrivateKey_file")
        #expect(error.description.contains("absent.key"))
    }

    @Test func missingClientCAFileIsRejected() throws {
        let certificates = try TestCertificates.shared()
        var configuration = configuration(certificates)
        configuration.clientCAFile = certificates.directory + "/absent-ca.pem"
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.call == "SSL_CTX_load_verify_locations")
    }

    @Test(arguments: [[""], [String(repeating: "x", count: 256)]])
    func invalidALPNNamesAreRejected(protocols: [String]) throws {
        let certificates = try TestCertificates.shared()
        var configuration = configuration(certificates)
        configuration.alpnProtocols = protocols
        #expect(throws: TLSError.self) { try TLSContext(configuration: configuration) }
    }

    @Test func connectionsCanBeCreatedFromManyTasks() async throws {
        let context = try TLSContext(configuration: configuration(try TestCertificates.shared()))
        let created = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask { (try? TLSConnection(context: context)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 32)
    }
}
