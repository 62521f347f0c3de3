import Logging
import Observability
import Synchronization
import Testing

@Suite struct RedactingLogHandlerTests {
    /// A text stream keeping what `StreamLogHandler` writes.
    private final class CapturedText: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        var value: String { text.withLock { $0 } }
    }

    @Test func textHandlerNeverSeesSensitiveValues() {
        let captured = CapturedText()
        let provider = Logger.MetadataProvider { ["request.token": "provided-token-value"] }
        var logger = Logger(label: "text") {
            var handler = RedactingLogHandler(StreamLogHandler(label: $0, stream: captured, metadataProvider: nil))
            handler.metadataProvider = provider
            return handler
        }
        logger[metadataKey: "db.password"] = "hunter2"
        logger[metadataKey: "pod.name"] = "web-1"
        logger.info("loaded", metadata: ["client_secret": "s3cr3t", "config": ["privateKey": "PEM"]])
        let output = captured.value
        for secret in ["hunter2", "s3cr3t", "PEM", "provided-token-value"] {
            #expect(!output.contains(secret), "\(secret) leaked: \(output)")
        }
        #expect(output.contains("db.password=[redacted]"))
        #expect(output.contains("pod.name=web-1"))
        #expect(output.contains("loaded"))
        #expect(logger[metadataKey: "db.password"] == "[redacted]")
    }

    @Test func levelIsTheWrappedHandlers() {
        var handler = RedactingLogHandler(StreamLogHandler(label: "x", stream: CapturedText(), metadataProvider: nil))
        handler.logLevel = .error
        #expect(handler.logLevel == .error)
    }
}
