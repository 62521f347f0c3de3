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

    public init(state: WebhookState, logger: Logger, metrics: WebhookMetrics) {
        self.state = state
        self.logger = logger
        self.metrics = metrics
    }

    func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let started = ContinuousClock.now
        metrics.requestStarted()
        defer { metrics.requestFinished() }
        guard Self.isJSON(request.head.headerFields) else {
            return .text(.unsupportedMediaType, "Content-Type must be application/json\n")
        }
        let review: AdmissionRequest
        do {
            review = try AdmissionReviewDecoder.decode(request.body)
        } catch {
            return .text(.badRequest, "\(error)\n")
        }
        let outcome: AdmissionOutcome
        if let reviewer = state.currentReviewer {
            outcome = reviewer.review(review) { state.namespaceLabels.labels(for: $0) }
        } else {
            outcome = AdmissionReviewer.failOpen(review, reason: "no profile loaded")
        }
        log(outcome, review)
        metrics.recordAdmission(operation: review.attributes.operation, result: outcome.result.rawValue, duration: ContinuousClock.now - started)
        if let decision = outcome.decision {
            metrics.recordSelectorMatches(enforced: decision.matchedSelectors, audited: decision.auditSelectors)
        }
        return HTTPServerResponse(status: .ok, contentType: "application/json", body: outcome.response.encoded(apiVersion: review.apiVersion))
    }

    private func log(_ outcome: AdmissionOutcome, _ review: AdmissionRequest) {
        if let reason = outcome.failureReason {
            logger.warning("allowed unchanged: \(reason)", metadata: Self.metadata(outcome, review))
        } else {
            // swift-log builds the metadata only when debug is enabled (an autoclosure).
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
            for offset in 0..<expected.utf8CodeUnitCount where bytes[start + offset] | 0x20 != expected.utf8Start[offset] | 0x20 {
                return false
            }
            return true
        }
    }
}
