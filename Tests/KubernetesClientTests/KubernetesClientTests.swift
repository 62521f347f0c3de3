import Foundation
import Testing

@testable import KubernetesClient

@Suite struct KubernetesClientTests {
    private let configMapPath = "/api/v1/namespaces/kube-system/configmaps"

    @Test func getVerifiesTheServerWithTheConfiguredCA() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        try await server.putConfigMap(name: "eci-profile", data: ["k": "v"])

        let response = try await server.client().get(path: configMapPath + "/eci-profile")
        #expect(response.status == 200)
        let object = try JSONDecoder().decode(ConfigMap.self, from: Data(response.body))
        #expect(object.data == ["k": "v"])
        #expect(object.metadata.namespace == "kube-system")

        var untrusted = server.configuration()
        untrusted.certificateAuthority = nil
        // The test CA is not in the system trust store (the server sends it along with its certificate).
        let refusal = "TLS handshake failure (SSL_do_handshake): error:0A000086:SSL routines::certificate verify failed; "
            + "SSL_ERROR_SSL; peer certificate: self-signed certificate in certificate chain"
        await #expect(throws: KubernetesClientError.transport(call: "SSL_do_handshake", code: 0, message: refusal)) {
            _ = try await server.client(untrusted).get(path: configMapPath + "/eci-profile")
        }
        // Without verification the same server is accepted.
        untrusted.insecureSkipTLSVerify = true
        #expect(try await server.client(untrusted).get(path: configMapPath + "/eci-profile").status == 200)
        #expect(try await server.requests().count == 2)
    }

    @Test func kubeconfigWithTokenAndWithClientCertificateAuthenticate() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let base64 = { (name: String) in try Data(contentsOf: URL(fileURLWithPath: server.path(name))).base64EncodedString() }
        let kubeconfig = """
            current-context: token
            clusters: [{name: fake, cluster: {server: "\(server.server)", certificate-authority-data: \(try base64("ca.crt"))}}]
            contexts: [{name: token, context: {cluster: fake, user: token}}, {name: cert, context: {cluster: fake, user: cert}}]
            users:
            - {name: token, user: {token: token-1}}
            - {name: cert, user: {client-certificate-data: \(try base64("client.crt")), client-key-data: \(try base64("client.key"))}}
            """
        try kubeconfig.write(toFile: server.path("kubeconfig"), atomically: true, encoding: .utf8)

        for context in ["token", "cert"] {
            let configuration = try KubernetesClientConfiguration.fromKubeconfig(path: server.path("kubeconfig"), context: context)
            let list = try await server.client(configuration).list(ConfigMap.self, path: configMapPath)
            #expect(list.items.isEmpty)
            #expect(list.resourceVersion == "100")
        }
        #expect(try await server.requests().map(\.auth) == ["token", "cert"])
    }

    @Test func rereadsTheTokenFileAfterA401AndRetriesOnce() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let client = server.client()
        #expect(try await client.get(path: configMapPath).status == 200)

        // The token rotates: the server accepts only the new one, the client still caches the old.
        try server.setAcceptedToken("token-2")
        try server.setClientToken("token-2")
        #expect(try await client.get(path: configMapPath).status == 200)

        // A literal token cannot be refreshed: one 401, no retry.
        var literal = server.configuration()
        literal.bearerToken = .literal("token-1")
        #expect(try await server.client(literal).get(path: configMapPath).status == 401)

        #expect(try await server.requests().map(\.auth) == ["token", "rejected", "token", "rejected"])
    }

    @Test func listOfAnotherStatusThrowsTheServersStatus() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        var anonymous = server.configuration()
        anonymous.bearerToken = .none

        await #expect(throws: KubernetesClientError.status(KubernetesStatus(code: 401, reason: "Unauthorized", message: "Unauthorized"))) {
            _ = try await server.client(anonymous).list(ConfigMap.self, path: configMapPath)
        }
    }

    @Test func postSendsAJSONBody() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }

        let response = try await server.client().post(path: "/api/v1/namespaces/default/events", body: Array(#"{"reason":"R"}"#.utf8))

        #expect(response.status == 201)
        #expect(try await server.recordedEvents().map { $0["reason"] as? String } == ["R"])
    }

    @Test func watchStreamsEventsAsTheyHappen() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let events = server.client().watch(
            ConfigMap.self, path: configMapPath + "?watch=1&resourceVersion=100&timeoutSeconds=5", timeout: .seconds(10))
        var iterator = events.makeAsyncIterator()

        for version in 1...3 {
            let started = ContinuousClock.now
            try await server.putConfigMap(name: "eci-profile", data: ["version": "\(version)"])
            let event = try await iterator.next()
            guard case let object? = event.flatMap({ if case .added(let o) = $0 { o } else if case .modified(let o) = $0 { o } else { nil } })
            else {
                Issue.record("unexpected event \(String(describing: event))")
                return
            }
            #expect(object.data == ["version": "\(version)"])
            // The first event also waits for the connection; later ones only for the change.
            #expect(version == 1 || ContinuousClock.now - started < .seconds(1))
        }
    }

    @Test func watchWithAnHTTPErrorThrowsItsStatus() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        try await server.control("watch-gone", ["http": true])

        await #expect {
            for try await _ in server.client().watch(ConfigMap.self, path: configMapPath + "?watch=1", timeout: .seconds(5)) {}
        } throws: { error in
            if case KubernetesClientError.status(let status) = error { status.code == 410 && status.reason == "Expired" } else { false }
        }
    }

    @Test func cancellingTheCallerStopsABlockedTransfer() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let client = server.client()
        // A plain GET of a watch URL blocks until the server's 30 s timeout.
        let call = Task { try await client.get(path: configMapPath + "?watch=1&timeoutSeconds=30") }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now

        call.cancel()

        await #expect(throws: KubernetesClientError.cancelled) { try await call.value }
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
