import HTTPServer
import TLSEngine
import Testing

@Suite struct HTTPServerConfigurationTests {
    @Test func webhookConfigurationOffersH2AndUsesTheDocumentedLimits() {
        let tls = TLSConfiguration.makeServerConfiguration(certificateChainFile: "/c.pem", privateKeyFile: "/k.pem")
        let configuration = HTTPServerConfiguration.makeWebhookConfiguration(port: 9443, tls: tls)
        #expect(configuration.host == "0.0.0.0" && configuration.port == 9443)
        #expect(configuration.enableHTTP2)
        #expect(configuration.effectiveTLSConfiguration?.alpnProtocols == ["h2", "http/1.1"])
        #expect(configuration.maxRequestBodyBytes == 8 << 20)
        #expect(configuration.maxHeaderBytes == 64 << 10)
        #expect(configuration.headerReadTimeout == .seconds(10))
        #expect(configuration.tlsHandshakeTimeout == .seconds(10))
        #expect(configuration.idleTimeout > .seconds(90))
        #expect(configuration.maxConnections == 4096)
    }

    @Test func disablingHTTP2RemovesH2FromALPN() {
        var configuration = HTTPServerConfiguration.makeWebhookConfiguration(
            port: 0, tls: .makeServerConfiguration(certificateChainFile: "/c.pem", privateKeyFile: "/k.pem"))
        configuration.enableHTTP2 = false
        #expect(configuration.effectiveTLSConfiguration?.alpnProtocols == ["http/1.1"])
    }

    @Test func metricsConfigurationIsPlainHTTP1() {
        let configuration = HTTPServerConfiguration.makeMetricsConfiguration(port: 9090)
        #expect(configuration.tls == nil && configuration.effectiveTLSConfiguration == nil)
        #expect(!configuration.enableHTTP2)
    }
}
