public import HTTPServer
import HTTPTypes
public import Observability

/// The routes of both listeners (SPEC §3): admission and probes on the TLS port; probes and
/// metrics on the plain port. Unknown paths get 404, known paths with other methods 405.
public struct WebhookRouter: HTTPRequestHandler {
    /// Which listener the router serves.
    public enum Listener: Sendable {
        case webhook
        case metrics
    }

    let listener: Listener
    let state: WebhookState
    let admission: AdmissionEndpoint
    let metrics: WebhookMetrics
    /// The webhook listener's memory budget, whose bytes in use `/metrics` reports; nil: none.
    let memoryBudget: MemoryBudget?

    public init(listener: Listener, state: WebhookState, admission: AdmissionEndpoint, metrics: WebhookMetrics,
                memoryBudget: MemoryBudget? = nil) {
        self.listener = listener
        self.state = state
        self.admission = admission
        self.metrics = metrics
        self.memoryBudget = memoryBudget
    }

    public func handle(_ request: HTTPServerRequest) -> HTTPHandlerAnswer {
        let path = RequestTarget.path(of: request.head.path ?? "")
        switch (listener, path) {
        case (.webhook, "/mutate"), (.webhook, "/inject"):
            guard request.head.method == .post else { return .now(Self.methodNotAllowed(allow: "POST")) }
            return admission.handle(request)
        case (_, "/healthz"), (_, "/readyz"), (.metrics, "/metrics"):
            guard request.head.method == .get else { return .now(Self.methodNotAllowed(allow: "GET")) }
            return .now(probe(path))
        default:
            return .now(.text(.notFound, "no such path: \(path)\n"))
        }
    }

    /// The answer of a GET endpoint: liveness, readiness (with the reason when not ready), metrics.
    private func probe(_ path: Substring) -> HTTPServerResponse {
        switch path {
        case "/readyz":
            if let reason = state.notReadyReason { return .text(.serviceUnavailable, "not ready: \(reason)\n") }
            return .text(.ok, "ok\n")
        case "/metrics":
            if let memoryBudget { metrics.setMemoryBudgetInUse(memoryBudget.inUse) }
            return HTTPServerResponse(status: .ok, contentType: WebhookMetrics.contentType, body: metrics.exposition())
        default:
            return .text(.ok, "ok\n")
        }
    }

    private static func methodNotAllowed(allow: String) -> HTTPServerResponse {
        var response = HTTPServerResponse.text(.methodNotAllowed, "method not allowed; use \(allow)\n")
        response.head.headerFields[.allow] = allow
        return response
    }
}

extension HTTPServerResponse {
    /// A plain-text response.
    static func text(_ status: HTTPResponse.Status, _ text: String) -> HTTPServerResponse {
        HTTPServerResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}
