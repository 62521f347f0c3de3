public import ECIProfileCore

/// The impact of replacing one profile with another: each subject's next pod is planned under
/// both, exactly as the webhook would plan it, and the outcomes compared.
public struct ProfileImpact: Sendable {
    public let old: MutationPlanner
    public let new: MutationPlanner

    public init(old: Profile, new: Profile, excludedNamespaces: Set<String>) {
        self.old = MutationPlanner(profile: old, excludedNamespaces: excludedNamespaces)
        self.new = MutationPlanner(profile: new, excludedNamespaces: excludedNamespaces)
    }

    /// How `subject` fares differently, with its namespace labelled `namespaceLabels`; nil when
    /// nothing changes for it.
    public func change(for subject: ImpactSubject, namespaceLabels: [String: String]) -> ImpactChange? {
        let before = ImpactOutcome(old.plan(subject.attributes, pod: subject.pod, namespaceLabels: namespaceLabels))
        let after = ImpactOutcome(new.plan(subject.attributes, pod: subject.pod, namespaceLabels: namespaceLabels))
        return ImpactChange(subject: subject, old: before, new: after)
    }

    /// The report over every subject; `namespaceLabels` gives each namespace's labels.
    public func report(_ subjects: [ImpactSubject], namespaceLabels: (String) -> [String: String]) -> ImpactReport {
        var report = ImpactReport()
        for subject in subjects {
            report.add(change(for: subject, namespaceLabels: namespaceLabels(subject.namespace)))
        }
        return report
    }
}
