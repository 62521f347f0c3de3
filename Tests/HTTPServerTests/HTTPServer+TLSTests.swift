import Foundation
import HTTPServer
import TLSEngine
import TLSTestSupport
import Testing

/// TLS and protocol selection: HTTP/2, ALPN, versions, client certificates.
@Suite struct HTTPServerTLSTests {
    @Test func http2ViaCurlServesSeveralStreamsOnOneConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let output = try server.curl(["--http2", "-w", " %{http_version}\n", "--data-binary", "abc", server.url("/echo"), server.url("/echo")])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "abc 2\nabc 2\n")
        let get = try server.curl(["--http2", server.url("/x")])
        #expect(get.stdout == "HTTP/2 GET /x")
        #expect(server.observer.wait { $0.handled.count == 3 && $0.handled.allSatisfy { $0.version == .http2 } })
    }

    @Test func http2DisabledFallsBackToHTTP1() throws {
        let server = try TestServer { $0.enableHTTP2 = false }
        defer { server.stop() }
        let output = try server.curl(["--http2", "-w", " %{http_version}", server.url("/x")])
        #expect(output.stdout == "HTTP/1.1 GET /x 1.1", "\(output.stderr)")
    }

    struct ALPNCase: Sendable, CustomTestStringConvertible {
        var enableHTTP2: Bool
        var offered: String
        var expected: String
        var testDescription: String { "h2 \(enableHTTP2 ? "on" : "off"), offered \(offered)" }
    }

    @Test(arguments: [
        ALPNCase(enableHTTP2: true, offered: "h2,http/1.1", expected: "ALPN protocol: h2"),
        ALPNCase(enableHTTP2: false, offered: "h2,http/1.1", expected: "ALPN protocol: http/1.1"),
        ALPNCase(enableHTTP2: true, offered: "foo", expected: "No ALPN negotiated"),
    ])
    func alpnPicksByServerPreference(_ alpn: ALPNCase) throws {
        let server = try TestServer { $0.enableHTTP2 = alpn.enableHTTP2 }
        defer { server.stop() }
        let output = try ExternalTool.sClient(port: server.port, ["-alpn", alpn.offered])
        #expect(output.stdout.contains(alpn.expected), "\(output.stdout)")
    }

    @Test func unknownALPNStillSpeaksHTTP1() throws {
        let server = try TestServer()
        defer { server.stop() }
        let output = try ExternalTool.sClient(
            port: server.port, ["-alpn", "foo"], input: "GET /plain HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", waitForClose: true)
        #expect(output.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(output.stdout)")
        #expect(output.stdout.hasSuffix("HTTP/1.1 GET /plain"))
    }

    @Test func tls11IsRefusedWhileTLS12And13Work() throws {
        let server = try TestServer()
        defer { server.stop() }
        // SECLEVEL=0 lets the client really offer TLS 1.1, so the refusal is the server's.
        let old = try ExternalTool.sClient(port: server.port, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        #expect(old.status != 0)
        #expect(server.observer.wait { !$0.handshakeFailures.isEmpty })
        for version in ["-tls1_2", "-tls1_3"] {
            let current = try ExternalTool.sClient(port: server.port, [version])
            #expect(current.status == 0, "\(version): \(current.stderr)")
        }
    }

    @Test func clientCertificateIsRequiredWhenAClientCAIsConfigured() throws {
        let certificates = try TestCertificates.shared()
        let server = try TestServer { $0.tls?.clientCAFile = certificates.caFile }
        defer { server.stop() }
        let anonymous = try server.curl(["--http1.1", server.url("/x")])
        #expect(anonymous.status != 0)
        #expect(server.observer.wait { !$0.handshakeFailures.isEmpty })
        let authenticated = try server.curl([
            "--http1.1", "--cert", certificates.clientCertificateFile, "--key", certificates.clientKeyFile, "-w", " %{http_code}", server.url("/x"),
        ])
        #expect(authenticated.stdout == "HTTP/1.1 GET /x 200", "\(authenticated.stderr)")
    }

    @Test func reloadTLSServesTheNewCertificateToNewConnectionsOnly() throws {
        let server = try TestServer()
        defer { server.stop() }
        #expect(try ExternalTool.servedSerial(port: server.port) == TestCertificates.serverSerial)

        let old = try ChildProcess("/usr/bin/openssl", [
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-quiet", "-ign_eof", "-alpn", "http/1.1",
        ])
        old.write(Array("GET /before HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        old.read(timeout: .seconds(5)) { String(decoding: $0.stdout, as: UTF8.self).contains("GET /before") }
        #expect(String(decoding: old.stdout, as: UTF8.self).hasSuffix("GET /before"))

        let certificates = server.certificates
        var configuration = try #require(server.server.configuration.effectiveTLSConfiguration)
        configuration.certificateChainFile = certificates.otherServerChainFile
        configuration.privateKeyFile = certificates.otherServerKeyFile
        server.server.reloadTLS(try TLSContext(configuration: configuration))
        #expect(try ExternalTool.servedSerial(port: server.port) == TestCertificates.otherServerSerial)

        old.write(Array("GET /after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
        old.read(timeout: .seconds(5))
        #expect(String(decoding: old.stdout, as: UTF8.self).hasSuffix("Connection: close\r\n\r\nHTTP/1.1 GET /after"))
        #expect(old.waitForExit(timeout: .seconds(5)) == 0)
    }
}
