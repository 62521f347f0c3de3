import Foundation
import Logging
import Testing

@testable import KubernetesClient

@Suite struct HTTPSProxyTests {
    @Test func noProxyEntriesMatchAsClientGoReadsThem() {
        let list = NoProxyList(" Example.com, .internal.test,*.svc.test, 10.0.0.0/8, 192.168.1.7, fd00::/8, api.test:6443 ,, ")
        let cases: [(host: String, port: Int, bypass: Bool)] = [
            ("example.com", 443, true), ("api.EXAMPLE.com", 443, true), ("notexample.com", 443, false),
            ("internal.test", 443, false), ("a.internal.test", 443, true),
            ("svc.test", 443, false), ("kubernetes.default.svc.test", 443, true),
            ("10.96.0.1", 443, true), ("11.0.0.1", 443, false),
            ("192.168.1.7", 443, true), ("192.168.1.8", 443, false),
            ("fd12::1", 443, true), ("fe80::1", 443, false),
            ("api.test", 6443, true), ("api.test", 443, false),
            // Loopback is never proxied, listed or not.
            ("localhost", 443, true), ("127.0.0.1", 443, true), ("::1", 443, true),
            ("kubernetes.example.org", 443, false),
        ]
        for (host, port, bypass) in cases {
            #expect(list.bypassesProxy(host: host, port: port) == bypass, "\(host):\(port)")
        }
        #expect(NoProxyList("*").bypassesProxy(host: "anything.test", port: 443))
        #expect(!NoProxyList("").bypassesProxy(host: "anything.test", port: 443))
    }

    @Test func theEnvironmentChoosesTheProxy() throws {
        let server = try TransferURL(parsing: "https://api.cluster.test:6443/api")
        let proxyAt = { (host: String, port: Int) in try TransferURL(parsing: "http://\(host):\(port)/") }

        #expect(try HTTPSProxy.forServer(server, environment: [:]) == nil)
        #expect(try HTTPSProxy.forServer(server, environment: ["https_proxy": "proxy.test:3128"])
            == HTTPSProxy(address: try proxyAt("proxy.test", 3128), authorization: nil))
        #expect(try HTTPSProxy.forServer(server, environment: ["HTTPS_PROXY": "http://upper.test", "https_proxy": "http://lower.test"])
            == HTTPSProxy(address: try proxyAt("upper.test", 80), authorization: nil))
        #expect(try HTTPSProxy.forServer(server, environment: ["HTTPS_PROXY": "http://us%40er:p%3Ass@proxy.test:8080"])
            == HTTPSProxy(address: try proxyAt("proxy.test", 8080), authorization: "Basic " + Data("us@er:p:ss".utf8).base64EncodedString()))
        #expect(try HTTPSProxy.forServer(server, environment: ["HTTPS_PROXY": "proxy.test:3128", "no_proxy": ".cluster.test"]) == nil)
        // HTTP_PROXY is not read, and plain-http servers are reached directly.
        #expect(try HTTPSProxy.forServer(server, environment: ["HTTP_PROXY": "proxy.test:3128"]) == nil)
        #expect(try HTTPSProxy.forServer(try TransferURL(parsing: "http://api.cluster.test"), environment: ["HTTPS_PROXY": "proxy.test"]) == nil)

        #expect(throws: KubernetesClientError.transport(
            call: "HTTPS_PROXY", code: 0, message: "cannot use the proxy socks5://proxy.test:1080: only http:// proxies are supported")) {
            try HTTPSProxy.forServer(server, environment: ["HTTPS_PROXY": "socks5://proxy.test:1080"])
        }
    }

    @Test func requestsTunnelThroughTheProxyAndStillVerifyTheServerName() async throws {
        let apiServer = try FakeAPIServer()
        defer { apiServer.stop() }
        let proxy = try TunnelProxy(targetPort: apiServer.port)
        defer { proxy.stop() }
        let environment = ["HTTPS_PROXY": "http://user:secret@127.0.0.1:\(proxy.port)"]
        // A name only the proxy can reach: the client must not resolve it itself.
        var configuration = apiServer.configuration()
        configuration.server = "https://api.cluster.invalid:\(apiServer.port)"

        // The server's certificate names localhost and 127.0.0.1, not this host.
        let refusal = "TLS handshake failure (SSL_do_handshake): error:0A000086:SSL routines::certificate verify failed; "
            + "SSL_ERROR_SSL; peer certificate: hostname mismatch"
        await #expect(throws: KubernetesClientError.transport(call: "SSL_do_handshake", code: 0, message: refusal)) {
            _ = try await KubernetesClient(configuration: configuration, logger: Logger(label: "proxy-test"), environment: environment)
                .get(path: "/api/v1/namespaces/kube-system/configmaps")
        }

        configuration.insecureSkipTLSVerify = true
        let client = KubernetesClient(configuration: configuration, logger: Logger(label: "proxy-test"), environment: environment)
        #expect(try await client.get(path: "/api/v1/namespaces/kube-system/configmaps").status == 200)
        #expect(try await client.get(path: "/api/v1/namespaces/kube-system/configmaps").status == 200)

        let connect = "CONNECT api.cluster.invalid:\(apiServer.port) HTTP/1.1\r\nHost: api.cluster.invalid:\(apiServer.port)\r\n"
            + "Proxy-Authorization: Basic \(Data("user:secret".utf8).base64EncodedString())\r\n\r\n"
        // One tunnel per connection: the failed handshake's, then one kept alive for both GETs.
        #expect(proxy.connectHeads == [connect, connect])
    }

    @Test func aProxyRefusalIsReported() async throws {
        let proxy = try TunnelProxy(targetPort: 1, refusal: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        defer { proxy.stop() }
        let client = KubernetesClient(
            configuration: KubernetesClientConfiguration(server: "https://api.cluster.invalid"),
            logger: Logger(label: "proxy-test"), environment: ["HTTPS_PROXY": "127.0.0.1:\(proxy.port)"])

        await #expect(throws: KubernetesClientError.transport(
            call: "CONNECT", code: 407, message: "the proxy 127.0.0.1:\(proxy.port) answered 407 to CONNECT api.cluster.invalid:443")) {
            _ = try await client.get(path: "/api")
        }
    }
}
