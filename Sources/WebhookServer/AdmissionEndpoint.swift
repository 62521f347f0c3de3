public import AdmissionCodec
import HTTPServer
import HTTPTypes
public import Logging

/// `POST /mutate`: decodes the review, asks the current reviewer, encodes the answer. Bad
/// requests get 400/415 with a one-line reason; the webhook's own trouble fails open (SPEC §2.8).
public struct AdmissionEndpoint: Sendable {
    let state: WebhookState
    let logger: Logger
    /// Called once per answered review, for metrics.
    let onOutcome: @Sendable (AdmissionOutcome, AdmissionRequest) -> Void

    public init(state: WebhookState, logger: Logger, onOutcome: @escaping @Sendable (AdmissionOutcome, AdmissionRequest) -> Void = { _, _ in }) {
        self.state = state
        self.logger = logger
        self.onOutcome = onOutcome
    }

    func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        guard Self.isJSON(request.head.headerFields[.contentType]) else {
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
        onOutcome(outcome, review)
        return HTTPServerResponse(status: .ok, contentType: "application/json", body: outcome.response.encoded(apiVersion: review.apiVersion))
    }

    private func log(_ outcome: AdmissionOutcome, _ review: AdmissionRequest) {
        if let reason = outcome.failureReason {
            logger.warning("allowed unchanged: \(reason)", metadata: Self.metadata(outcome, review))
        } else if logger.logLevel <= .debug {
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
        return metadata
    }

    /// Whether a Content-Type names JSON (`application/json`, parameters allowed).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.filter { !$0.isWhitespace }.lowercased() == "application/json"
    }
}
