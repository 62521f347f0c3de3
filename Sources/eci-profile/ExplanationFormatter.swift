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
        let podName = (try? request.pod?.get())?.displayName ?? "<unreadable>"
        lines.append("Request: \(request.attributes.operation) \(request.attributes.resource) \(request.attributes.namespace)/\(podName) (\(request.apiVersion.rawValue))")
        lines.append("Namespace labels: \(Self.format(namespaceLabels))")
        switch outcome.decision?.outcome {
        case .skipped(let reason):
            lines.append("Decision: allowed unchanged (\(reason.rawValue))")
            return lines.joined(separator: "\n")
        case nil:
            lines.append("Decision: allowed unchanged (failed open: \(outcome.failureReason ?? "unknown"))")
            return lines.joined(separator: "\n")
        case .unmatched, .matched:
            break
        }
        let podLabels = (try? request.pod?.get())?.labels ?? [:]
        lines.append("Pod labels: \(Self.format(podLabels))")
        lines.append("Selectors, in profile order:")
        let decision = outcome.decision
        for evaluation in planner.evaluate(podLabels: podLabels, namespaceLabels: namespaceLabels) {
            lines.append("  " + describe(evaluation, decision: decision))
        }
        if let selector = decision?.decidingSelector, let policy = decision?.policy {
            lines.append("Decision: send to virtual nodes; selector \"\(selector)\" decides policy \(policy.rawValue)")
        } else {
            lines.append("Decision: allowed unchanged (no selector sends this pod to virtual nodes)")
        }
        let patch = decision?.patch ?? []
        lines.append("Patch: \(patch.isEmpty ? "none" : "\(patch.count) operation(s)")")
        for operation in patch {
            lines.append("  add \(operation.path) \(operation.value.jsonString)")
        }
        let warnings = decision?.warnings ?? []
        lines.append("Warnings: \(warnings.isEmpty ? "none" : "")")
        lines += warnings.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }

    private func describe(_ evaluation: SelectorEvaluation, decision: MutationDecision?) -> String {
        let selector = evaluation.selector
        let name = "\"\(selector.name)\""
        if selector.isEffectOnly {
            let applies = decision?.matchedSelectors.contains(selector.name) ?? false
            return "\(applies ? "+" : "-") \(name): effect-only; \(applies ? "its effect applies because the pod is sent" : "applies only to pods another selector sends")"
        }
        var parts: [String] = []
        if let matches = evaluation.namespaceMatches, let namespaceSelector = selector.namespaceSelector {
            parts.append("namespace {\(namespaceSelector.description)} \(matches ? "matches" : "does not match")")
        }
        if let matches = evaluation.objectMatches, let objectSelector = selector.objectSelector {
            parts.append("pod {\(objectSelector.description)} \(matches ? "matches" : "does not match")")
        }
        let mark = evaluation.sends ? "+" : "-"
        let role = decision?.decidingSelector == selector.name ? " -> decides (policy \(selector.policy.rawValue))" : ""
        return "\(mark) \(name): \(parts.joined(separator: "; "))\(role)"
    }

    private static func format(_ labels: [String: String]) -> String {
        labels.isEmpty ? "(none)" : labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
