import Foundation
import Logging

@testable import KubernetesClient

/// One request as logged by the fake API server.
struct LoggedRequest: Decodable {
    var method: String
    var path: String
    var query: [String: String]
    /// `list`, `watch`, `get` or `post`.
    var kind: String
    /// `token`, `cert`, `rejected` or `none` (connection dropped before authentication).
    var auth: String
}

enum FakeAPIServerError: Error {
    case didNotStart(String)
}

/// A running `fake_apiserver.py` with its own CA, certificates and token files in a temporary directory.
final class FakeAPIServer: @unchecked Sendable {
    let directory: URL
    let port: Int
    private let process: Process
    /// Closing it tells the server to exit (it also handles SIGTERM).
    private let input = Pipe()
    private let controlClient: KubernetesClient

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-fake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fake_apiserver.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--dir", directory.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.count == 2, words[0] == "READY", let port = Int(words[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            try? input.fileHandleForWriting.close()
            throw FakeAPIServerError.didNotStart(String(decoding: line, as: UTF8.self))
        }
        self.port = port
        controlClient = KubernetesClient(
            configuration: KubernetesClientConfiguration(
                server: "https://127.0.0.1:\(port)", certificateAuthority: .file(directory.appendingPathComponent("ca.crt").path)),
            logger: Logger(label: "fake-apiserver-control")
        )
        try setAcceptedToken("token-1")
        try setClientToken("token-1")
    }

    /// Stops the server and removes its files.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var server: String { "https://127.0.0.1:\(port)" }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The token the server accepts from now on.
    func setAcceptedToken(_ token: String) throws {
        try token.write(toFile: path("accepted-token"), atomically: true, encoding: .utf8)
    }

    /// The token in the file the client reads (`client-token`).
    func setClientToken(_ token: String) throws {
        try (token + "\n").write(toFile: path("client-token"), atomically: true, encoding: .utf8)
    }

    /// CA file and token file authentication.
    func configuration() -> KubernetesClientConfiguration {
        KubernetesClientConfiguration(server: server, certificateAuthority: .file(path("ca.crt")), bearerToken: .file(path("client-token")))
    }

    func client(_ configuration: KubernetesClientConfiguration? = nil) -> KubernetesClient {
        KubernetesClient(configuration: configuration ?? self.configuration(), logger: Logger(label: "kube-test"))
    }

    /// POSTs a control action and answers its JSON result.
    @discardableResult
    func control(_ action: String, _ body: [String: any Sendable] = [:]) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        let response = try await controlClient.post(path: "/_control/\(action)", body: Array(data))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// Creates or updates a ConfigMap.
    func putConfigMap(namespace: String = "kube-system", name: String, data: [String: String]) async throws {
        try await control("object", ["op": "put", "namespace": namespace, "name": name, "data": data])
    }

    /// Deletes a ConfigMap.
    func deleteConfigMap(namespace: String = "kube-system", name: String) async throws {
        try await control("object", ["op": "delete", "namespace": namespace, "name": name])
    }

    /// The API requests the server has seen, oldest first.
    func requests() async throws -> [LoggedRequest] {
        let response = try await controlClient.get(path: "/_control/requests")
        return try JSONDecoder().decode([LoggedRequest].self, from: Data(response.body))
    }

    /// Bodies of the Events POSTed so far.
    func recordedEvents() async throws -> [[String: Any]] {
        let response = try await controlClient.get(path: "/_control/events")
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] ?? []
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; answers whether it held.
func eventually(within timeout: Duration = .seconds(1), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
