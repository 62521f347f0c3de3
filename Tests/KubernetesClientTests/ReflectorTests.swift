import Foundation
import Logging
import Synchronization
import Testing

@testable import KubernetesClient

@Suite struct ReflectorTests {
    /// What the reflector delivered, one line per event: `replaced:a=1,b=2`, `added:a=1`, `deleted:a`.
    private final class Delivered: Sendable {
        private let lines = Mutex<[String]>([])

        func append(_ event: ReflectorEvent<ConfigMap>) {
            let describe = { (object: ConfigMap) in "\(object.metadata.name)=\(object.data["v"] ?? "")" }
            let line =
                switch event {
                case .replaced(let items): "replaced:" + items.map(describe).joined(separator: ",")
                case .added(let object): "added:" + describe(object)
                case .modified(let object): "modified:" + describe(object)
                case .deleted(let object): "deleted:" + object.metadata.name
                }
            lines.withLock { $0.append(line) }
        }

        var all: [String] { lines.withLock { $0 } }
    }

    private let path = "/api/v1/namespaces/kube-system/configmaps"

    private func start(
        _ server: FakeAPIServer, fieldSelector: String? = nil, watchSeconds: ClosedRange<Int> = 1...2,
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(1)
    ) -> (Reflector<ConfigMap>, Delivered, Task<Void, Never>) {
        let reflector = Reflector<ConfigMap>(
            client: server.client(), path: path, fieldSelector: fieldSelector,
            configuration: ReflectorConfiguration(
                watchTimeoutSeconds: watchSeconds, watchTimeoutSlack: .seconds(2), initialBackoff: initialBackoff,
                maximumBackoff: maximumBackoff),
            logger: Logger(label: "reflector-test"))
        let delivered = Delivered()
        let task = Task { await reflector.run { delivered.append($0) } }
        return (reflector, delivered, task)
    }

    private func requests(_ server: FakeAPIServer, _ kind: String) async throws -> [LoggedRequest] {
        try await server.requests().filter { $0.kind == kind }
    }

    @Test func listThenWatchDeliversChangesWithinASecond() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        try await server.putConfigMap(name: "eci-profile", data: ["v": "1"])
        try await server.putConfigMap(name: "other", data: ["v": "1"])
        let (reflector, delivered, task) = start(server, fieldSelector: "metadata.name=eci-profile")
        defer { task.cancel() }
        #expect(!reflector.hasSynced)

        #expect(await eventually { delivered.all == ["replaced:eci-profile=1"] })
        #expect(reflector.hasSynced)
        try await server.putConfigMap(name: "other", data: ["v": "2"])
        try await server.putConfigMap(name: "eci-profile", data: ["v": "2"])
        #expect(await eventually { delivered.all.last == "modified:eci-profile=2" })
        try await server.deleteConfigMap(name: "eci-profile")
        #expect(await eventually { delivered.all.last == "deleted:eci-profile" })
        #expect(reflector.items.isEmpty)
        try await server.putConfigMap(name: "eci-profile", data: ["v": "3"])
        #expect(await eventually { delivered.all.last == "added:eci-profile=3" })

        #expect(delivered.all == ["replaced:eci-profile=1", "modified:eci-profile=2", "deleted:eci-profile", "added:eci-profile=3"])
        #expect(reflector.items.map(\.data) == [["v": "3"]])
        let watch = try #require(try await requests(server, "watch").first)
        #expect(watch.query["fieldSelector"] == "metadata.name=eci-profile")
        #expect(watch.query["allowWatchBookmarks"] == "true")
        #expect(["1", "2"].contains(watch.query["timeoutSeconds"]))
    }

    @Test func bookmarkAdvancesTheResourceVersionOfTheNextWatch() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let (reflector, _, task) = start(server, watchSeconds: 2...2)
        defer { task.cancel() }
        try #require(try await eventually(within: .seconds(15)) { try await !requests(server, "watch").isEmpty })
        let listed = reflector.resourceVersion

        let bookmark = try await server.control("bookmark")["resourceVersion"] as? String
        #expect(bookmark != nil && bookmark != listed)
        #expect(await eventually { reflector.resourceVersion == bookmark })

        #expect(try await eventually(within: .seconds(4)) { try await requests(server, "watch").count >= 2 })
        let watches = try await requests(server, "watch")
        #expect(watches.map { $0.query["resourceVersion"] }.prefix(2) == [listed, bookmark])
        #expect(try await requests(server, "list").count == 1)
    }

    @Test(arguments: [false, true])
    func goneOnWatchRelistsExactlyOnce(asHTTPStatus: Bool) async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        try await server.putConfigMap(name: "a", data: ["v": "1"])
        let (_, delivered, task) = start(server)
        defer { task.cancel() }
        #expect(await eventually { delivered.all == ["replaced:a=1"] })

        try await server.control("watch-gone", ["http": asHTTPStatus])
        #expect(try await eventually(within: .seconds(4)) { try await requests(server, "list").count == 2 })
        #expect(await eventually { delivered.all == ["replaced:a=1", "replaced:a=1"] })
        try await server.putConfigMap(name: "a", data: ["v": "2"])
        #expect(await eventually(within: .seconds(2)) { delivered.all.last == "modified:a=2" })

        #expect(try await requests(server, "list").count == 2)
    }

    @Test func droppedWatchResumesFromTheLastResourceVersionWithoutRelisting() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let (reflector, delivered, task) = start(server, watchSeconds: 5...5)
        defer { task.cancel() }
        try #require(try await eventually(within: .seconds(15)) { try await !requests(server, "watch").isEmpty })
        try await server.putConfigMap(name: "a", data: ["v": "1"])
        #expect(await eventually { delivered.all.last == "added:a=1" })
        let seen = reflector.resourceVersion

        try await server.control("drop-watches")
        try await server.putConfigMap(name: "a", data: ["v": "2"])

        #expect(await eventually(within: .seconds(2)) { delivered.all.last == "modified:a=2" })
        let watches = try await requests(server, "watch")
        #expect(watches.count == 2)
        #expect(watches.last?.query["resourceVersion"] == seen)
        #expect(try await requests(server, "list").count == 1)
    }

    @Test func serverOutageBacksOffAndResumes() async throws {
        let server = try FakeAPIServer()
        defer { server.stop() }
        let (_, delivered, task) = start(server, watchSeconds: 5...5, initialBackoff: .milliseconds(200), maximumBackoff: .seconds(2))
        defer { task.cancel() }
        try #require(try await eventually(within: .seconds(15)) { try await !requests(server, "watch").isEmpty })
        let before = try await server.requests().count

        try await server.control("down", ["seconds": 4])
        try await Task.sleep(for: .seconds(4))
        let duringOutage = try await server.requests().count - before
        try await server.putConfigMap(name: "a", data: ["v": "1"])

        #expect(await eventually(within: .seconds(3)) { delivered.all.last == "added:a=1" })
        #expect(duringOutage >= 2 && duringOutage < 15, "\(duringOutage) requests in 4 s")
        #expect(try await requests(server, "list").count == 1)
    }
}
