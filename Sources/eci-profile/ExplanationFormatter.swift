import AdmissionCodec
import ECIProfileCore

/// The human summary printed by `eci-profile mutate --explain`.
struct ExplanationFormatter {
    var planner: MutationPlanner
    var preview: MutationPreview
    var outcome: AdmissionOutcome
    var namespaceLabels: [String: String]

    var text: String {
        let request = preview.request
        var lines: [String] = []
        let pod = try? request.pod?.get()
        lines.append("Request: \(request.attributes.operation) \(request.attributes.resource) \(request.attributes.namespace)/\(pod?.displayName ?? "<unreadable>") (\(request.apiVersion.rawValue))")
        lines.append("Namespace labels: \(Self.format(namespaceLabels))")
        guard let decision = outcome.decision, let pod else {
            lines.append("Decision: allowed unchanged (failed open: \(outcome.failureReason ?? "unknown"))")
            return lines.joined(separator: "\n")
        }
        if case .skipped(let reason) = decision.outcome {
            lines.append("Decision: allowed unchanged (\(reason.rawValue))")
            return lines.joined(separator: "\n")
        }
        lines.append("Pod labels: \(Self.format(pod.labels?.entries ?? []))")
        lines.append("Selectors, in profile order:")
        for evaluation in planner.evaluate(podLabels: pod.labels ?? [:], namespaceLabels: namespaceLabels) {
            lines.append("  " + describe(evaluation, decision: decision))
        }
        lines += compatibilityLines(pod, decision: decision)
        lines.append("Decision: \(summary(of: decision, pod: pod))")
        lines += patchLines("Patch", decision.patch)
        if decision.outcome == .incompatible {
            // What the guard kept back: the same request planned with the guard off.
            var unguarded = planner.profile
            unguarded.compatibilityChecks = []
            let withheld = MutationPlanner(profile: unguarded, excludedNamespaces: planner.excludedNamespaces)
                .plan(request.attributes, pod: pod, namespaceLabels: namespaceLabels)
            lines += patchLines("Without the compatibility guard, the patch would have been", withheld.patch)
        } else {
            lines += EffectAttribution(profile: planner.profile, pod: pod, matchedSelectors: decision.matchedSelectors).lines
        }
        lines.append(decision.warnings.isEmpty ? "Warnings: none" : "Warnings:")
        lines += decision.warnings.map { "  \($0)" }
        let annotations = decision.auditAnnotations
        lines.append("Audit annotations: \(annotations.isEmpty ? "none" : annotations.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    private func summary(of decision: MutationDecision, pod: PodSnapshot) -> String {
        guard let selector = decision.decidingSelector, let policy = decision.policy else {
            return "allowed unchanged (no selector sends this pod to virtual nodes)"
        }
        switch decision.outcome {
        case .incompatible:
            let failed = decision.incompatibilities.map(\.check.rawValue).joined(separator: ", ")
            return "stays on normal nodes, unchanged: ECI virtual nodes cannot run this pod (failed: \(failed)); "
                + "without the guard, selector \"\(selector)\" would have sent it with policy \(policy.rawValue)"
        case .matched where !(pod.nodeName?.isEmpty ?? true):
            return "effects only: spec.nodeName is already \"\(pod.nodeName ?? "")\", so no placement is added; "
                + "selector \"\(selector)\" matches (policy \(policy.rawValue))"
        default:
            return "send to virtual nodes; selector \"\(selector)\" decides policy \(policy.rawValue)"
        }
    }

    /// The enforced checks and, for a pod a selector sends, which of them it fails.
    private func compatibilityLines(_ pod: PodSnapshot, decision: MutationDecision) -> [String] {
        let enforced = planner.profile.compatibilityChecks
        guard !enforced.isEmpty else { return ["Compatibility checks: none (guard off)"] }
        var lines = ["Compatibility checks: \(enforced.map(\.rawValue).joined(separator: ", "))"]
        guard decision.decidingSelector != nil else {
            lines.append("  not checked: no selector sends this pod")
            return lines
        }
        for check in enforced {
            if let failure = check.failure(of: pod) {
                lines.append("  x \(check.rawValue): \(failure.reason)")
            } else {
                lines.append("  ok \(check.rawValue)")
            }
        }
        return lines
    }

    private func patchLines(_ title: String, _ patch: [JSONPatchOperation]) -> [String] {
        ["\(title): \(patch.isEmpty ? "none" : "\(patch.count) operation(s)")"]
            + patch.map { "  add \($0.path) \($0.value.jsonString)" }
    }

    private func describe(_ evaluation: SelectorEvaluation, decision: MutationDecision) -> String {
        let selector = evaluation.selector
        let name = "\"\(selector.name)\""
        if selector.isEffectOnly {
            let applies = decision.matchedSelectors.contains(selector.name)
            return "\(applies ? "+" : "-") \(name): effect-only; \(applies ? "its effect applies because the pod is sent" : "applies only to pods another selector sends")"
        }
        var parts: [String] = []
        if let matches = evaluation.namespaceMatches, let namespaceSelector = selector.namespaceSelector {
            parts.append("namespace {\(namespaceSelector.description)} \(matches ? "matches" : "does not match")")
        }
        if let matches = evaluation.objectMatches, let objectSelector = selector.objectSelector {
            parts.append("pod {\(objectSelector.description)} \(matches ? "matches" : "does not match")")
        }
        if selector.mode == .audit {
            let note = evaluation.sends ? " -> reported in auditSelectors; changes nothing" : ""
            return "\(evaluation.sends ? "~" : "-") \(name) (audit): \(parts.joined(separator: "; "))\(note)"
        }
        let mark = evaluation.sends ? "+" : "-"
        let role = decision.decidingSelector == selector.name ? " -> decides (policy \(selector.policy.rawValue))" : ""
        return "\(mark) \(name): \(parts.joined(separator: "; "))\(role)"
    }

    private static func format(_ labels: some Collection<(key: String, value: String)>) -> String {
        labels.isEmpty ? "(none)" : labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
