internal import ECIProfileCore

/// How one object's next pod fares under the new profile compared with the old one.
public struct ImpactChange: Sendable {
    /// The kinds of change `diff` reports and counts.
    public enum Kind: String, Sendable, CaseIterable {
        /// Not sent before, sent now.
        case sent
        /// Sent (or kept back) before, not sent now.
        case unsent
        /// Newly kept back by a compatibility check.
        case keptBack
        /// Kept back before, sent now.
        case released
        /// Sent both times, under another policy.
        case policy
        /// Sent (or kept back) both times, decided by another selector.
        case selector
        /// Other annotations or labels added.
        case effects
        /// Another nodeSelector, tolerations or affinity added under the same policy (the
        /// profile's virtualNodeSelector or virtualNodeTolerations changed).
        case scheduling
        /// Other audit selectors match.
        case audit

        /// How the summary names it.
        public var summaryName: String {
            switch self {
            case .sent: "newly sent"
            case .unsent: "no longer sent"
            case .keptBack: "newly kept back"
            case .released: "no longer kept back"
            case .policy: "policy"
            case .selector: "deciding selector"
            case .effects: "effects"
            case .scheduling: "scheduling"
            case .audit: "audit selectors"
            }
        }
    }

    public var subject: ImpactSubject
    public var old: ImpactOutcome
    public var new: ImpactOutcome
    /// What changed, in `Kind` order; never empty.
    public var kinds: [Kind]

    /// The change between two outcomes for `subject`; nil when the pod fares the same.
    public init?(subject: ImpactSubject, old: ImpactOutcome, new: ImpactOutcome) {
        guard old != new else { return nil }
        self.subject = subject
        self.old = old
        self.new = new
        var kinds: [Kind] = []
        switch (old.placement, new.placement) {
        case (.notSent, .sent): kinds.append(.sent)
        case (.sent, .notSent), (.keptBack, .notSent): kinds.append(.unsent)
        case (.notSent, .keptBack), (.sent, .keptBack): kinds.append(.keptBack)
        case (.keptBack, .sent): kinds.append(.released)
        case (.sent(let oldSelector, let oldPolicy), .sent(let newSelector, let newPolicy)):
            if oldPolicy != newPolicy { kinds.append(.policy) }
            if oldSelector != newSelector { kinds.append(.selector) }
        case (.keptBack(let oldSelector, _, let oldChecks), .keptBack(let newSelector, _, let newChecks)):
            if oldChecks != newChecks { kinds.append(.keptBack) }
            if oldSelector != newSelector { kinds.append(.selector) }
        case (.notSent, .notSent): break
        }
        let samePlacement = old.placement.name == new.placement.name
        if samePlacement, old.annotations != new.annotations || old.labels != new.labels { kinds.append(.effects) }
        if samePlacement, !kinds.contains(.policy), old.scheduling != new.scheduling { kinds.append(.scheduling) }
        if old.auditSelectors != new.auditSelectors { kinds.append(.audit) }
        // Outcomes that differ only in ways no kind names (the same entries in another order).
        if kinds.isEmpty { kinds.append(.effects) }
        self.kinds = kinds
    }

    /// One line: `Deployment batch/spark: not sent → sent by "batch-spot" (virtualNodeOnly); +annotation a=b`.
    public var line: String {
        var parts: [String] = []
        if old.placement != new.placement {
            parts.append("\(old.placement.description) → \(new.placement.description)")
        } else if new.placement != .notSent {
            parts.append(new.placement.description)
        }
        let effects = Self.entryChanges("annotation", old.annotations, new.annotations) + Self.entryChanges("label", old.labels, new.labels)
        if !effects.isEmpty { parts.append(effects.joined(separator: ", ")) }
        if kinds.contains(.scheduling) { parts.append("nodeSelector/tolerations/affinity added differ") }
        if old.auditSelectors != new.auditSelectors {
            let added = new.auditSelectors.filter { !old.auditSelectors.contains($0) }.map { "+\"\($0)\"" }
            let removed = old.auditSelectors.filter { !new.auditSelectors.contains($0) }.map { "-\"\($0)\"" }
            parts.append("audit selectors " + (removed + added).joined(separator: " "))
        }
        return "\(subject.displayName): \(parts.joined(separator: "; "))"
    }

    /// `+annotation k=v`, `-label k=v` and `annotation k: a → b` for the entries that differ.
    private static func entryChanges(_ noun: String, _ old: [KeyValue], _ new: [KeyValue]) -> [String] {
        let oldValues = Dictionary(old.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let newValues = Dictionary(new.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var changes: [String] = []
        for entry in old where newValues[entry.key] == nil { changes.append("-\(noun) \(entry.key)=\(entry.value)") }
        for entry in new {
            if let before = oldValues[entry.key] {
                if before != entry.value { changes.append("\(noun) \(entry.key): \(before) → \(entry.value)") }
            } else {
                changes.append("+\(noun) \(entry.key)=\(entry.value)")
            }
        }
        return changes
    }
}
