import Foundation
import Testing

@testable import KubernetesClient

@Suite struct WatchEventTests {
    private func decode(_ json: String) throws -> WatchEvent<ConfigMap> {
        try JSONDecoder().decode(WatchEvent<ConfigMap>.self, from: Data(json.utf8))
    }

    private let object = #"{"metadata":{"name":"p","namespace":"kube-system","uid":"u1","resourceVersion":"7"},"data":{"k":"v"}}"#
    private var configMap: ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: "p", namespace: "kube-system", uid: "u1", resourceVersion: "7"), data: ["k": "v"])
    }

    @Test func decodesObjectEvents() throws {
        guard case .added(let added) = try decode(#"{"type":"ADDED","object":\#(object)}"#),
            case .modified(let modified) = try decode(#"{"type":"MODIFIED","object":\#(object)}"#),
            case .deleted(let deleted) = try decode(#"{"type":"DELETED","object":\#(object)}"#)
        else {
            Issue.record("wrong event kinds")
            return
        }
        #expect([added, modified, deleted] == [configMap, configMap, configMap])
    }

    @Test func decodesBookmarkAndError() throws {
        guard case .bookmark(let version) = try decode(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"42"}}}"#)
        else {
            Issue.record("not a bookmark")
            return
        }
        #expect(version == "42")
        guard case .error(let status) = try decode(#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}"#)
        else {
            Issue.record("not an error")
            return
        }
        #expect(status == KubernetesStatus(code: 410, reason: "Expired", message: "too old"))
    }

    @Test func rejectsUnknownTypes() {
        #expect(throws: DecodingError.self) { try decode(#"{"type":"RENAMED","object":{}}"#) }
    }

    @Test func namespaceExposesNameAndLabels() throws {
        let event = try JSONDecoder().decode(
            WatchEvent<Namespace>.self, from: Data(#"{"type":"ADDED","object":{"metadata":{"name":"team-a","labels":{"eci":"true"}}}}"#.utf8))
        guard case .added(let namespace) = event else {
            Issue.record("not added")
            return
        }
        #expect(namespace.name == "team-a")
        #expect(namespace.labels == ["eci": "true"])
        #expect(namespace.storeKey == "team-a")
    }
}
