public import ECIProfileCore

/// The labels of the namespace a pod is created in, as far as they are known.
public enum NamespaceLabels: Sendable, Equatable {
    case found([String: String])
    /// Not known; the reason is logged and the pod allowed unchanged (SPEC §2.8).
    case unavailable(reason: String)
}

/// What the webhook did with one review, for the response, logs and metrics.
public struct AdmissionOutcome: Sendable {
    /// The outcome's class, as the `result` label of the admission metric.
    public enum Result: String, Sendable {
        case patched, unchanged, skipped
        /// Kept back by the ECI compatibility guard (SPEC §2.10).
        case incompatible
        case failedOpen = "failed_open"
    }

    public var result: Result
    public var response: AdmissionResponse
    /// The planner's decision; nil when the webhook failed open before planning.
    public var decision: MutationDecision?
    /// Why the webhook failed open, when it did.
    public var failureReason: String?
}

/// Answers admission requests with the planner's decision, failing open on its own trouble.
public struct AdmissionReviewer: Sendable {
    public var planner: MutationPlanner

    public init(planner: MutationPlanner) {
        self.planner = planner
    }

    /// Reviews `request`; `namespaceLabels` is asked only when the pod needs matching.
    public func review(_ request: AdmissionRequest, namespaceLabels: (String) -> NamespaceLabels) -> AdmissionOutcome {
        if let reason = planner.needsPod(request.attributes) {
            return AdmissionOutcome(result: .skipped, response: AdmissionResponse(uid: request.uid),
                                    decision: MutationDecision(outcome: .skipped(reason)))
        }
        let pod: PodSnapshot
        switch request.pod {
        case .success(let decoded): pod = decoded
        case .failure(let error): return Self.failOpen(request, reason: "pod object not readable: \(error)")
        case nil: return Self.failOpen(request, reason: "request has no object")
        }
        let labels: [String: String]
        switch namespaceLabels(request.attributes.namespace) {
        case .found(let found): labels = found
        case .unavailable(let reason): return Self.failOpen(request, reason: "namespace labels unavailable: \(reason)")
        }
        let decision = planner.plan(neededPod: pod, namespaceLabels: labels)
        let result: AdmissionOutcome.Result = decision.outcome == .incompatible ? .incompatible : (decision.patchJSON.isEmpty ? .unchanged : .patched)
        return AdmissionOutcome(result: result,
                                response: AdmissionResponse(uid: request.uid, decision: decision), decision: decision)
    }

    /// Allows `request` unchanged because of the webhook's own trouble.
    public static func failOpen(_ request: AdmissionRequest, reason: String) -> AdmissionOutcome {
        AdmissionOutcome(result: .failedOpen, response: AdmissionResponse(uid: request.uid), failureReason: reason)
    }
}
