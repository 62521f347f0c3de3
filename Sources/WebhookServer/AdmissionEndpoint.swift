import AdmissionCodec
import HTTPServer
import HTTPTypes
public import Logging
public import Observability

/// `POST /mutate`: decodes the review, asks the current reviewer, encodes the answer. Bad
/// requests get 400/415 with a one-line reason; the webhook's own trouble fails open (SPEC §2.8).
public struct AdmissionEndpoint: Sendable {
    let state: WebhookState
    let logger: Logger
    let metrics: WebhookMetrics
    /// Whether each decision is logged: `logger` is a constant, so its level is too. Asking the
    /// logger per request cost ~210 instructions (callgrind, `serve` under HTTP/1.1 load).
    private let logsDecisions: Bool

    public init(state: WebhookState, logger: Logger, metrics: WebhookMetrics) {
        self.state = state
        self.logger = logger
        self.metrics = metrics
        self.logsDecisions = logger.logLevel <= .debug
    }

    /// Answers at once, unless the pod's namespace must be fetched first: then the answer is deferred
    /// until the lookup (running off the event loop, within its budget) delivers the labels.
    func handle(_ request: HTTPServerRequest) -> HTTPHandlerAnswer {
        let started = ContinuousClock.now
        metrics.requestStarted()
        guard Self.isJSON(request.head.headerFields) else {
            metrics.requestFinished()
            return .now(.text(.unsupportedMediaType, "Content-Type must be application/json\n"))
        }
        let review: AdmissionRequest
        do {
            review = try AdmissionReviewDecoder.decode(request.body)
        } catch {
            metrics.requestFinished()
            return .now(.text(.badRequest, "\(error)\n"))
        }
        guard let reviewer = state.currentReviewer else {
            return .now(finish(AdmissionReviewer.failOpen(review, reason: "no profile loaded"), review, started: started))
        }
        // The provider is used from `state`, not copied into a local: copying the existential cost
        // ~130 instructions per request (callgrind, `serve`, bench review).
        var uncached: String?
        let outcome = reviewer.review(review) { namespace in
            if let labels = state.namespaceLabels.cachedLabels(for: namespace) { return labels }
            uncached = namespace
            return .unavailable(reason: "namespace \(namespace) not cached")
        }
        guard let uncached else { return .now(finish(outcome, review, started: started)) }
        return .later { [self] responder in
            state.namespaceLabels.fetchLabels(for: uncached) { labels in
                responder.respond(finish(reviewer.review(review) { _ in labels }, review, started: started))
            }
        }
    }

    /// Logs and counts `outcome` and encodes the response.
    private func finish(_ outcome: AdmissionOutcome, _ review: AdmissionRequest, started: ContinuousClock.Instant) -> HTTPServerResponse {
        defer { metrics.requestFinished() }
        log(outcome, review)
        metrics.recordAdmission(operation: review.attributes.operation, result: outcome.result.rawValue, duration: ContinuousClock.now - started)
        if let decision = outcome.decision {
            metrics.recordSelectorMatches(enforced: decision.matchedSelectors, audited: decision.auditSelectors)
        }
        return HTTPServerResponse(head: Self.answerHead, body: outcome.response.encoded(apiVersion: review.apiVersion))
    }

    /// The head of every answer, built once: building its fields per request cost 1.7k instructions
    /// (callgrind, `serve` under keep-alive HTTP/1.1 load).
    private static let answerHead = HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"])

    private func log(_ outcome: AdmissionOutcome, _ review: AdmissionRequest) {
        if let reason = outcome.failureReason {
            logger.warning("allowed unchanged: \(reason)", metadata: Self.metadata(outcome, review))
        } else if logsDecisions {
            logger.debug("admission decision", metadata: Self.metadata(outcome, review))
        }
    }

    private static func metadata(_ outcome: AdmissionOutcome, _ review: AdmissionRequest) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "admission.uid": "\(review.uid)",
            "admission.operation": "\(review.attributes.operation)",
            "admission.namespace": "\(review.attributes.namespace)",
            "admission.result": "\(outcome.result.rawValue)",
        ]
        if let pod = try? review.pod?.get() { metadata["pod.name"] = "\(pod.displayName)" }
        if let selector = outcome.decision?.decidingSelector { metadata["selector"] = "\(selector)" }
        if let policy = outcome.decision?.policy { metadata["policy"] = "\(policy.rawValue)" }
        if let patch = outcome.decision?.patch, !patch.isEmpty { metadata["patch.operations"] = "\(patch.count)" }
        if let failures = outcome.decision?.incompatibilities, !failures.isEmpty {
            metadata["incompatible"] = "\(failures.map(\.check.rawValue).joined(separator: ","))"
        }
        if let audited = outcome.decision?.auditSelectors, !audited.isEmpty {
            metadata["auditSelectors"] = "\(audited.joined(separator: ","))"
        }
        return metadata
    }

    /// Whether the request's Content-Type names JSON. Several Content-Type fields are judged joined
    /// with ", ", as `headerFields[.contentType]` would give them (so they are not JSON); the loop
    /// avoids that subscript's generic join, 4,000 instructions per admission request under callgrind.
    static func isJSON(_ fields: HTTPFields) -> Bool {
        var contentType: String?
        for field in fields where field.name == .contentType {
            contentType = contentType.map { $0 + ", " + field.value } ?? field.value
        }
        return isJSON(contentType)
    }

    /// Whether a Content-Type names JSON (`application/json` in any case, parameters allowed).
    /// Compares bytes: this runs on every admission request.
    static func isJSON(_ contentType: String?) -> Bool {
        guard var contentType else { return false }
        return contentType.withUTF8 { bytes in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            let expected: StaticString = "application/json"
            guard end - start == expected.utf8CodeUnitCount else { return false }
            // ASCII letters only differ by 0x20 between cases; the expected text has no other bytes that 0x20 could confuse.
            // Its 16 bytes are compared as two 8-byte words: byte by byte, this check cost 340
            // instructions per admission request, now 190 (callgrind, `serve`, bench review).
            let caseBits: UInt64 = 0x2020_2020_2020_2020
            let given = UnsafeRawPointer(bytes.baseAddress! + start), wanted = UnsafeRawPointer(expected.utf8Start)
            return (0..<2).allSatisfy { word in
                let offset = word * MemoryLayout<UInt64>.size
                return given.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | caseBits
                    == wanted.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | caseBits
            }
        }
    }
}
