import Foundation
internal import Yams

extension KubernetesClientConfiguration {
    /// Reads a kubeconfig file and uses `context` (default: its `current-context`).
    ///
    /// Relative file paths in the kubeconfig are resolved against the kubeconfig's directory;
    /// `*-data` fields are decoded and used from memory.
    public static func fromKubeconfig(
        path: String,
        context contextName: String? = nil
    ) throws(KubernetesClientConfigurationError) -> KubernetesClientConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .unreadableFile(path)
        }
        let kubeconfig: Kubeconfig
        do {
            kubeconfig = try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch {
            throw .invalidKubeconfig(path: path, reason: "\(error)")
        }
        guard let name = contextName ?? kubeconfig.currentContext, !name.isEmpty else {
            throw .invalidKubeconfig(path: path, reason: "no current-context")
        }
        guard let context = kubeconfig.contexts?.first(where: { $0.name == name })?.context else {
            throw .invalidKubeconfig(path: path, reason: "context \(name) not found")
        }
        guard let cluster = kubeconfig.clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw .invalidKubeconfig(path: path, reason: "cluster \(context.cluster) not found")
        }
        var user = Kubeconfig.User()
        if let userName = context.user {
            guard let found = kubeconfig.users?.first(where: { $0.name == userName })?.user else {
                throw .invalidKubeconfig(path: path, reason: "user \(userName) not found")
            }
            user = found
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : directory.appendingPathComponent(file).path
        }
        func pem(data: String?, file: String?, field: String) throws(KubernetesClientConfigurationError) -> PEMSource? {
            if let data {
                guard let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                    throw .invalidBase64(field: field)
                }
                return .bytes(Array(bytes))
            }
            return file.map { .file(resolve($0)) }
        }

        let token: BearerToken =
            if let literal = user.token { .literal(literal) } else if let file = user.tokenFile { .file(resolve(file)) } else { .none }
        return KubernetesClientConfiguration(
            server: cluster.server,
            certificateAuthority: try pem(
                data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, field: "certificate-authority-data"),
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
            clientCertificate: try pem(
                data: user.clientCertificateData, file: user.clientCertificate, field: "client-certificate-data"),
            clientKey: try pem(data: user.clientKeyData, file: user.clientKey, field: "client-key-data"),
            bearerToken: token,
            namespace: context.namespace
        )
    }
}
