import Foundation
import Synchronization
import Testing

@testable import KubernetesClient

@Suite struct BearerTokenProviderTests {
    /// A clock the test moves by hand.
    private final class ManualClock: Sendable {
        private let start = ContinuousClock.now
        private let offset = Mutex(Duration.zero)
        func advance(by duration: Duration) { offset.withLock { $0 += duration } }
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
    }

    @Test func rereadsTheFileAfterTheRefreshIntervalOrInvalidation() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "one\n".write(toFile: path, atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let provider = BearerTokenProvider(source: .file(path), refreshInterval: .seconds(60), now: { clock.now })

        #expect(try provider.token() == "one")
        try "two".write(toFile: path, atomically: true, encoding: .utf8)
        clock.advance(by: .seconds(59))
        #expect(try provider.token() == "one")
        clock.advance(by: .seconds(1))
        #expect(try provider.token() == "two")

        try "three".write(toFile: path, atomically: true, encoding: .utf8)
        provider.invalidate()
        #expect(try provider.token() == "three")

        try FileManager.default.removeItem(atPath: path)
        provider.invalidate()
        #expect(throws: KubernetesClientError.unreadableTokenFile(path)) { try provider.token() }
    }

    @Test func literalAndNoTokenAreNotRefreshable() throws {
        let literal = BearerTokenProvider(source: .literal("abc"), refreshInterval: .seconds(60))
        #expect(try literal.token() == "abc")
        #expect(!literal.isRefreshable)
        #expect(try BearerTokenProvider(source: .none, refreshInterval: .seconds(60)).token() == nil)
        #expect(BearerTokenProvider(source: .file("/x"), refreshInterval: .seconds(60)).isRefreshable)
    }
}
