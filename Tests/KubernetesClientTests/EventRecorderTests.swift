import Foundation
import Logging
import Testing

@testable import KubernetesClient

@Suite struct EventRecorderTests {
    private let configMap = ConfigMap(
        metadata: ObjectMeta(name: "eci-profile", namespace: "kube-system", uid: "uid-1", resourceVersion: "42"), data: ["k": "v"])

    private func canonical(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func postsACoreV1WarningEventAboutTheConfigMap() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let recorder = EventRecorder(
            client: server.client(), instance: "eci-profile-7d9f", logger: Logger(label: "test"),
            now: { Date(timeIntervalSince1970: 1_700_000_000.5) })

        try await recorder.record(
            involvedObject: ObjectReference(configMap: configMap), reason: "InvalidProfile",
            message: String(repeating: "é", count: 600))

        let posted = try await server.requests().filter { $0.kind == "post" }
        #expect(posted.map(\.path) == ["/api/v1/namespaces/kube-system/events"])
        var events = try await server.recordedEvents()
        try #require(events.count == 1)
        var metadata = events[0]["metadata"] as? [String: Any] ?? [:]
        metadata["resourceVersion"] = nil  // added by the server
        events[0]["metadata"] = metadata
        let expected: [String: Any] = [
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": ["name": "eci-profile.17979cfe53f76500", "namespace": "kube-system"],
            "involvedObject": [
                "apiVersion": "v1", "kind": "ConfigMap", "namespace": "kube-system", "name": "eci-profile",
                "uid": "uid-1", "resourceVersion": "42",
            ],
            "reason": "InvalidProfile",
            "message": String(repeating: "é", count: 512),
            "type": "Warning",
            "action": "Validate",
            "source": ["component": "eci-profile"],
            "firstTimestamp": "2023-11-14T22:13:20Z",
            "lastTimestamp": "2023-11-14T22:13:20Z",
            "eventTime": "2023-11-14T22:13:20.500000Z",
            "count": 1,
            "reportingComponent": "eci-profile",
            "reportingInstance": "eci-profile-7d9f",
        ]
        #expect(try canonical(events[0]) == canonical(expected))
    }

    @Test func aRejectedEventThrowsTheServersStatus() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        var anonymous = server.configuration()
        anonymous.bearerToken = .none
        let recorder = EventRecorder(client: server.client(anonymous), logger: Logger(label: "test"))

        await #expect(throws: KubernetesClientError.status(KubernetesStatus(code: 401, reason: "Unauthorized", message: "Unauthorized"))) {
            try await recorder.record(involvedObject: ObjectReference(configMap: configMap), reason: "InvalidProfile", message: "bad")
        }
    }

    @Test func truncationKeepsWholeCharacters() {
        #expect(EventRecorder.truncate("abc", toBytes: 3) == "abc")
        #expect(EventRecorder.truncate("aé", toBytes: 2) == "a")
        #expect(EventRecorder.truncate("ab👍", toBytes: 5) == "ab")
        #expect(EventRecorder.truncate("ab👍", toBytes: 6) == "ab👍")
    }
}
