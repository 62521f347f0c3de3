import COpenSSL
import Testing
import TLSEngine
import TLSTestSupport

@Suite struct TLSConnectionTests {
    /// OpenSSL version numbers and the names `SSL_get_version` reports for them.
    static let versions: [(Int32, String)] = [(TLS1_2_VERSION, "TLSv1.2"), (TLS1_3_VERSION, "TLSv1.3")]

    private func makeContext(
        minimumVersion: TLSVersion = .v1_2, alpn: [String] = ["h2", "http/1.1"], clientCA: Bool = false
    ) throws -> TLSContext {
        let certificates = try TestCertificates.shared()
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChainFile: certificates.serverChainFile, privateKeyFile: certificates.serverKeyFile)
        configuration.minimumVersion = minimumVersion
        configuration.alpnProtocols = alpn
        configuration.clientCAFile = clientCA ? certificates.caFile : nil
        return try TLSContext(configuration: configuration)
    }

    private func clientOptions(maximumVersion: Int32 = TLS1_3_VERSION) throws -> TestTLSClient.Options {
        TestTLSClient.Options(trustedCAFile: try TestCertificates.shared().caFile, maximumVersion: maximumVersion)
    }

    private func send(_ text: String, from server: TLSConnection) throws {
        try Array(text.utf8).withUnsafeBytes { try server.writePlaintext($0) }
    }

    // MARK: handshake and application data

    @Test(arguments: versions)
    func handshakeThenEchoBothWays(version: Int32, name: String) throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions(maximumVersion: version)))
        pair.run()
        #expect(pair.server.isHandshakeComplete)
        #expect(pair.client.isHandshakeComplete)
        #expect(pair.client.failure == nil)
        #expect(pair.client.negotiatedVersion == name)

        pair.client.write(Array("ping".utf8))
        pair.run()
        #expect(String(decoding: pair.serverPlaintext, as: UTF8.self) == "ping")

        try send("pong", from: pair.server)
        pair.run()
        #expect(String(decoding: pair.client.received, as: UTF8.self) == "pong")
    }

    @Test(arguments: versions)
    func largeMessagesSpanManyRecords(version: Int32, name: String) throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions(maximumVersion: version)))
        pair.run()
        let upload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        pair.client.write(upload)
        pair.run()
        #expect(pair.serverPlaintext == upload)

        let download = Array(upload.reversed())
        try download.withUnsafeBytes { try pair.server.writePlaintext($0) }
        pair.run()
        #expect(pair.client.received == download)
    }

    @Test func tls12UsesTheServersFirstECDHEAEADSuite() throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions(maximumVersion: TLS1_2_VERSION)))
        pair.run()
        #expect(pair.client.negotiatedCipher == "ECDHE-ECDSA-AES128-GCM-SHA256")
    }

    @Test func tls13PrefersAES128GCMOverOpenSSLsAES256First() throws {
        // The client offers OpenSSL's default order, AES-256-GCM first; the server's preference wins.
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions(maximumVersion: TLS1_3_VERSION)))
        pair.run()
        #expect(pair.client.negotiatedCipher == "TLS_AES_128_GCM_SHA256")
    }

    @Test(arguments: versions)
    func handshakeAndDataFedOneByteAtATime(version: Int32, name: String) throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions(maximumVersion: version)))
        pair.serverChunkSize = 1
        pair.run()
        #expect(pair.server.isHandshakeComplete)
        #expect(pair.client.negotiatedVersion == name)
        #expect(pair.server.negotiatedALPN == nil)

        pair.client.write(Array("one byte at a time".utf8))
        pair.run()
        #expect(String(decoding: pair.serverPlaintext, as: UTF8.self) == "one byte at a time")
    }

    @Test func writingBeforeTheHandshakeThrows() throws {
        let server = try TLSConnection(context: makeContext())
        #expect(throws: TLSError.self) { try Array("early".utf8).withUnsafeBytes { try server.writePlaintext($0) } }
        #expect(!server.hasPendingCiphertext)
    }

    // MARK: versions

    @Test func tls11ClientIsRefused() throws {
        var options = try clientOptions(maximumVersion: TLS1_1_VERSION)
        options.minimumVersion = TLS1_1_VERSION
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(options))
        pair.run()
        let error = try #require(pair.serverFailure)
        #expect(error.description.contains("unsupported protocol"))
        #expect(!pair.client.isHandshakeComplete)
        #expect(pair.client.failure != nil)
    }

    @Test func tls12ClientIsRefusedWhenTheMinimumIs13() throws {
        let pair = try InMemoryTLSPair(
            context: makeContext(minimumVersion: .v1_3), client: TestTLSClient(clientOptions(maximumVersion: TLS1_2_VERSION)))
        pair.run()
        #expect(pair.serverFailure != nil)
        #expect(!pair.server.isHandshakeComplete)
    }

    // MARK: ALPN

    @Test(arguments: [
        (["h2", "http/1.1"], ["h2", "http/1.1"], "h2"),
        (["h2", "http/1.1"], ["http/1.1", "h2"], "h2"),
        (["h2", "http/1.1"], ["http/1.1"], "http/1.1"),
        (["h2", "http/1.1"], ["foo"], nil),
        (["h2", "http/1.1"], [], nil),
        (["http/1.1"], ["h2", "http/1.1"], "http/1.1"),
        (["http/1.1"], ["h2"], nil),
        ([], ["h2"], nil),
    ] as [([String], [String], String?)])
    func alpnFollowsServerPreferenceAndNeverFailsTheHandshake(server: [String], offer: [String], expected: String?) throws {
        var options = try clientOptions()
        options.alpnOffer = offer
        let pair = try InMemoryTLSPair(context: makeContext(alpn: server), client: TestTLSClient(options))
        pair.run()
        #expect(pair.server.isHandshakeComplete)
        #expect(pair.client.failure == nil)
        #expect(pair.server.negotiatedALPN == expected)
        #expect(pair.client.negotiatedALPN == expected)
    }

    // MARK: client certificates

    enum ClientCertificate: CaseIterable { case none, fromOtherCA, fromTrustedCA }

    @Test(arguments: ClientCertificate.allCases, versions)
    func clientCertificateIsRequiredAndVerified(certificate: ClientCertificate, version: (Int32, String)) throws {
        let certificates = try TestCertificates.shared()
        var options = try clientOptions(maximumVersion: version.0)
        switch certificate {
        case .none: break
        case .fromOtherCA: options.certificateFile = certificates.otherClientCertificateFile
        case .fromTrustedCA: options.certificateFile = certificates.clientCertificateFile
        }
        options.keyFile = certificates.clientKeyFile
        let pair = try InMemoryTLSPair(context: makeContext(clientCA: true), client: TestTLSClient(options))
        pair.run()
        pair.client.write(Array("hello".utf8))
        pair.run()

        switch certificate {
        case .none:
            #expect(pair.serverFailure?.description.contains("peer did not return a certificate") == true)
        case .fromOtherCA:
            #expect(pair.serverFailure?.description.contains("unable to get local issuer certificate") == true)
        case .fromTrustedCA:
            #expect(pair.serverFailure == nil)
            #expect(String(decoding: pair.serverPlaintext, as: UTF8.self) == "hello")
        }
        #expect(pair.server.isHandshakeComplete == (certificate == .fromTrustedCA))
        #expect((pair.client.failure == nil) == (certificate == .fromTrustedCA))
    }

    // MARK: resumption

    @Test(arguments: versions)
    func sessionsAreResumed(version: Int32, name: String) throws {
        let context = try makeContext()
        let first = try InMemoryTLSPair(context: context, client: TestTLSClient(clientOptions(maximumVersion: version)))
        first.run()
        let session = try #require(first.client.copySession())
        defer { SSL_SESSION_free(session) }
        #expect(!first.client.sessionWasReused)

        var options = try clientOptions(maximumVersion: version)
        options.session = session
        let second = try InMemoryTLSPair(context: context, client: TestTLSClient(options))
        second.run()
        #expect(second.server.isHandshakeComplete)
        #expect(second.client.sessionWasReused)
    }

    /// OpenSSL reads ahead: it takes in every record at hand, and the ones behind the first wait in
    /// its buffer (`SSL_has_pending`, not `SSL_pending`). One call must still read them all.
    @Test(arguments: versions)
    func recordsArrivingTogetherAreReadInOneCall(version: Int32, name: String) throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions(maximumVersion: version)))
        pair.run()
        for word in ["one ", "two ", "three"] { pair.client.write(Array(word.utf8)) }
        let flight = pair.client.takeCiphertext()
        var plaintext: [UInt8] = []
        let result = flight.withUnsafeBytes { pair.server.readPlaintext(from: $0, into: &plaintext) }
        guard case .ok = result else {
            Issue.record("expected .ok, got \(result)")
            return
        }
        #expect(String(decoding: plaintext, as: UTF8.self) == "one two three")
    }

    /// A TLS 1.3 client sends its first request with its Finished: the records behind the handshake
    /// are read by the call that completes it.
    @Test func dataBehindTheClientsFinishedIsReadWithIt() throws {
        let server = try TLSConnection(context: makeContext())
        let client = try TestTLSClient(clientOptions())
        var plaintext: [UInt8] = []
        client.advance()
        var flight = client.takeCiphertext()
        _ = flight.withUnsafeBytes { server.readPlaintext(from: $0, into: &plaintext) }
        var toClient: [UInt8] = []
        server.takeCiphertext(into: &toClient)
        client.receive(toClient)
        client.advance()
        #expect(client.isHandshakeComplete)
        client.write(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        flight = client.takeCiphertext()
        let result = flight.withUnsafeBytes { server.readPlaintext(from: $0, into: &plaintext) }
        guard case .ok = result else {
            Issue.record("expected .ok, got \(result)")
            return
        }
        #expect(server.isHandshakeComplete)
        #expect(String(decoding: plaintext, as: UTF8.self) == "GET / HTTP/1.1\r\n\r\n")
    }

    /// Reads do not empty the thread's error queue first: an entry other code left there must not
    /// fail a read that only waits for the rest of a record.
    @Test func aStaleErrorQueueEntryDoesNotFailAWaitingRead() throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions()))
        pair.run()
        pair.client.write(Array("split record".utf8))
        let record = pair.client.takeCiphertext()
        #expect(BIO_new_file("/nonexistent/eci-profile-test", "r") == nil)
        #expect(ERR_peek_error() != 0)
        var plaintext: [UInt8] = []
        for part in [record[..<10], record[10...]] {
            let result = part.withUnsafeBytes { pair.server.readPlaintext(from: $0, into: &plaintext) }
            guard case .ok = result else {
                Issue.record("expected .ok, got \(result)")
                return
            }
        }
        #expect(String(decoding: plaintext, as: UTF8.self) == "split record")
        #expect(ERR_peek_error() == 0)
    }

    // MARK: closing and failures

    @Test func peerCloseNotifyReadsAsClosed() throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions()))
        pair.run()
        pair.client.write(Array("last words".utf8))
        pair.client.shutdown()
        pair.run()
        guard case .closed = pair.serverResult else {
            Issue.record("expected .closed, got \(pair.serverResult)")
            return
        }
        #expect(String(decoding: pair.serverPlaintext, as: UTF8.self) == "last words")
        var more: [UInt8] = []
        guard case .closed = pair.server.readPlaintext(into: &more) else {
            Issue.record("a closed connection must stay closed")
            return
        }
    }

    @Test func closeSendsCloseNotify() throws {
        let pair = try InMemoryTLSPair(context: makeContext(), client: TestTLSClient(clientOptions()))
        pair.run()
        pair.server.close()
        #expect(pair.server.hasPendingCiphertext)
        pair.run()
        #expect(pair.client.receivedCloseNotify)
    }

    @Test func closeBeforeTheHandshakeQueuesNothing() throws {
        let server = try TLSConnection(context: makeContext())
        server.close()
        #expect(!server.hasPendingCiphertext)
    }

    @Test(arguments: [
        Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8),
        [0x16, 0x03, 0x01, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        [0x16, 0x03, 0x03, 0x00, 0x04, 0x01, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 300),
    ])
    func garbageClientHelloFailsCleanly(garbage: [UInt8]) throws {
        let server = try TLSConnection(context: makeContext())
        var plaintext: [UInt8] = []
        garbage.withUnsafeBytes { server.receive(ciphertext: $0) }
        guard case .failed(let error) = server.readPlaintext(into: &plaintext) else {
            Issue.record("garbage must fail the handshake")
            return
        }
        #expect(error.call == "SSL_do_handshake")
        #expect(!error.openSSLErrors.isEmpty)
        #expect(plaintext.isEmpty)
        // The failure is sticky and the session is no longer driven or shut down.
        garbage.withUnsafeBytes { server.receive(ciphertext: $0) }
        guard case .failed = server.readPlaintext(into: &plaintext) else {
            Issue.record("a failed connection must stay failed")
            return
        }
        server.close()
        var alert: [UInt8] = []
        server.takeCiphertext(into: &alert)
        #expect(alert.count < 64)
        #expect(!server.hasPendingCiphertext)
    }
}
