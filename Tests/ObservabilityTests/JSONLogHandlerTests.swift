import Foundation
import Logging
import Observability
import Testing

@Suite struct JSONLogHandlerTests {
    private struct ProbeError: Error, CustomStringConvertible {
        var description: String { "probe failed" }
    }

    private func logger(level: Logger.Level = .info) -> (Logger, CollectingLogSink) {
        let sink = CollectingLogSink()
        let logger = Logger(label: "eci.webhook") { label in
            JSONLogHandler(label: label, level: level, sink: sink, metadataProvider: nil)
        }
        return (logger, sink)
    }

    @Test func writesTheDocumentedFieldsAsStrings() throws {
        var (logger, sink) = logger()
        logger[metadataKey: "component"] = "admission"
        logger.info("patched \"pod\"\nnext", metadata: [
            "admission.uid": "705ab4f5",
            "pod": ["name": "web-1", "namespace": "batch"],
            "selectors": ["a", "b"],
            "attempt": .stringConvertible(3),
        ])
        let objects = try sink.jsonObjects()
        #expect(objects.count == 1)
        let object = try #require(objects.first)
        #expect(Set(object.keys) == ["ts", "level", "msg", "logger", "component", "admission.uid", "pod.name",
                                     "pod.namespace", "selectors", "attempt"])
        #expect(object["level"] as? String == "info")
        #expect(object["msg"] as? String == "patched \"pod\"\nnext")
        #expect(object["logger"] as? String == "eci.webhook")
        #expect(object["admission.uid"] as? String == "705ab4f5")
        #expect(object["pod.namespace"] as? String == "batch")
        #expect(object["selectors"] as? String == #"["a", "b"]"#)
        #expect(object["attempt"] as? String == "3")
        let ts = try #require(object["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
    }

    @Test func fieldOrderIsFixedThenMetadataSorted() throws {
        let (logger, sink) = logger()
        logger.warning("m", metadata: ["zeta": "1", "alpha": "2"])
        let line = try #require(sink.rawLines().first)
        let withoutTime = line.replacing(/"ts":"[^"]+"/, with: #""ts":"T""#)
        #expect(withoutTime == #"{"ts":"T","level":"warning","msg":"m","logger":"eci.webhook","alpha":"2","zeta":"1"}"# + "\n")
    }

    @Test func sourceFileAndLineOnlyAtDebug() throws {
        let (infoLogger, infoSink) = logger(level: .info)
        infoLogger.info("quiet")
        infoLogger.debug("dropped")
        let infoLines = try infoSink.jsonObjects()
        #expect(infoLines.count == 1)
        #expect(infoLines[0]["file"] == nil && infoLines[0]["line"] == nil && infoLines[0]["source"] == nil)

        let (debugLogger, debugSink) = logger(level: .debug)
        debugLogger.debug("verbose")
        let debugLine = try #require(try debugSink.jsonObjects().first)
        #expect(debugLine["level"] as? String == "debug")
        #expect((debugLine["file"] as? String)?.hasSuffix("JSONLogHandlerTests.swift") == true)
        #expect(debugLine["line"] as? Int ?? 0 > 0)
        #expect(debugLine["source"] as? String == "ObservabilityTests")
    }

    @Test func redactsSensitiveMetadata() throws {
        var (logger, sink) = logger()
        logger[metadataKey: "serviceAccountToken"] = "eyJhbGciOi"
        logger.error("reload failed", metadata: [
            "tls.privateKey": "-----BEGIN PRIVATE KEY-----",
            "kube": ["password": "hunter2", "server": "https://10.0.0.1"],
            "admission.uid": "u-2",
        ])
        let object = try #require(try sink.jsonObjects().first)
        #expect(object["serviceAccountToken"] as? String == "[redacted]")
        #expect(object["tls.privateKey"] as? String == "[redacted]")
        #expect(object["kube.password"] as? String == "[redacted]")
        #expect(object["kube.server"] as? String == "https://10.0.0.1")
        #expect(object["admission.uid"] as? String == "u-2")
    }

    @Test func metadataCannotOverwriteTheFixedFields() throws {
        let (logger, sink) = logger()
        logger.info("real", error: ProbeError(), metadata: ["msg": "fake", "level": "fake"])
        let object = try #require(try sink.jsonObjects().first)
        #expect(object["msg"] as? String == "real")
        #expect(object["level"] as? String == "info")
        #expect(object["metadata.msg"] as? String == "fake")
        #expect(object["metadata.level"] as? String == "fake")
        #expect(object["error"] as? String == "probe failed")
    }

    @Test func eventMetadataOverridesHandlerAndProviderMetadata() throws {
        let sink = CollectingLogSink()
        let provider = Logger.MetadataProvider { ["request.id": "from-provider", "trace.id": "t-1"] }
        var logger = Logger(label: "x") { JSONLogHandler(label: $0, sink: sink, metadataProvider: provider) }
        logger[metadataKey: "request.id"] = "from-handler"
        logger.info("one")
        logger.info("two", metadata: ["request.id": "from-event"])
        let objects = try sink.jsonObjects()
        #expect(objects.map { $0["request.id"] as? String } == ["from-provider", "from-event"])
        #expect(objects.allSatisfy { $0["trace.id"] as? String == "t-1" })
    }
}
