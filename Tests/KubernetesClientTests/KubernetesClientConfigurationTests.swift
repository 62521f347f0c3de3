import Foundation
import Testing

@testable import KubernetesClient

@Suite struct KubernetesClientConfigurationTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private func write(_ text: String, _ directory: URL, _ name: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    @Test func inClusterReadsEnvironmentAndServiceAccountDirectory() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write("tok", directory, "token")
        try write("PEM", directory, "ca.crt")
        try write("kube-system\n", directory, "namespace")

        let configuration = try KubernetesClientConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: directory.path
        )

        var expected = KubernetesClientConfiguration(
            server: "https://10.96.0.1:443",
            certificateAuthority: .file(directory.appendingPathComponent("ca.crt").path),
            bearerToken: .file(directory.appendingPathComponent("token").path),
            namespace: "kube-system"
        )
        expected.tokenRefreshInterval = .seconds(60)
        #expect(configuration == expected)
    }

    @Test func inClusterBracketsIPv6AndRequiresEnvironmentAndToken() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write("PEM", directory, "ca.crt")
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"]

        #expect(throws: KubernetesClientConfigurationError.missingEnvironment("KUBERNETES_SERVICE_HOST")) {
            try KubernetesClientConfiguration.inCluster(environment: [:], serviceAccountDirectory: directory.path)
        }
        #expect(throws: KubernetesClientConfigurationError.unreadableFile(directory.appendingPathComponent("token").path)) {
            try KubernetesClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory.path)
        }
        try write("tok", directory, "token")
        let configuration = try KubernetesClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory.path)
        #expect(configuration.server == "https://[fd00::1]:6443")
        #expect(configuration.namespace == nil)
    }

    @Test func kubeconfigWithTokenUsesCurrentContextAndResolvesRelativePaths() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(
            """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: dev-cluster
              cluster: {server: "https://dev:6443", insecure-skip-tls-verify: true}
            - name: prod-cluster
              cluster:
                server: https://prod.example:6443
                certificate-authority: certs/ca.crt
            contexts:
            - name: dev
              context: {cluster: dev-cluster, user: dev-user}
            - name: prod
              context: {cluster: prod-cluster, user: prod-user, namespace: webhooks}
            users:
            - name: dev-user
              user: {token: dev-token}
            - name: prod-user
              user: {tokenFile: /var/run/token}
            """, directory, "config")
        let path = directory.appendingPathComponent("config").path

        let prod = try KubernetesClientConfiguration.fromKubeconfig(path: path)
        #expect(
            prod
                == KubernetesClientConfiguration(
                    server: "https://prod.example:6443",
                    certificateAuthority: .file(directory.appendingPathComponent("certs/ca.crt").path),
                    bearerToken: .file("/var/run/token"),
                    namespace: "webhooks"
                ))

        let dev = try KubernetesClientConfiguration.fromKubeconfig(path: path, context: "dev")
        #expect(
            dev == KubernetesClientConfiguration(server: "https://dev:6443", insecureSkipTLSVerify: true, bearerToken: .literal("dev-token")))
    }

    @Test func kubeconfigWithClientCertificateDataDecodesBase64() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let encode = { (text: String) in Data(text.utf8).base64EncodedString() }
        try write(
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k:443", certificate-authority-data: \(encode("CA PEM"))}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {client-certificate-data: \(encode("CERT PEM")), client-key-data: \(encode("KEY PEM"))}}]
            """, directory, "config")

        let configuration = try KubernetesClientConfiguration.fromKubeconfig(path: directory.appendingPathComponent("config").path)

        #expect(
            configuration
                == KubernetesClientConfiguration(
                    server: "https://k:443",
                    certificateAuthority: .bytes(Array("CA PEM".utf8)),
                    clientCertificate: .bytes(Array("CERT PEM".utf8)),
                    clientKey: .bytes(Array("KEY PEM".utf8))
                ))
    }

    @Test func kubeconfigErrorsNameWhatIsWrong() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config").path
        try write(
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k", certificate-authority-data: "!!not base64!!"}}]
            contexts: [{name: c, context: {cluster: k, user: missing}}, {name: d, context: {cluster: k}}]
            """, directory, "config")

        #expect(throws: KubernetesClientConfigurationError.invalidKubeconfig(path: path, reason: "user missing not found")) {
            try KubernetesClientConfiguration.fromKubeconfig(path: path)
        }
        #expect(throws: KubernetesClientConfigurationError.invalidBase64(field: "certificate-authority-data")) {
            try KubernetesClientConfiguration.fromKubeconfig(path: path, context: "d")
        }
        #expect(throws: KubernetesClientConfigurationError.invalidKubeconfig(path: path, reason: "context nope not found")) {
            try KubernetesClientConfiguration.fromKubeconfig(path: path, context: "nope")
        }
        #expect(throws: KubernetesClientConfigurationError.unreadableFile(path + ".absent")) {
            try KubernetesClientConfiguration.fromKubeconfig(path: path + ".absent")
        }
    }
}
