public import AdmissionCodec
public import ECIProfileCore
import Synchronization

/// What the webhook serves with, swapped whole while requests run: the reviewer built from
/// the last good profile, the namespace labels, and whether the process is shutting down.
public final class WebhookState: Sendable {
    private let reviewer = Mutex<AdmissionReviewer?>(nil)
    private let profileProblem = Mutex<String?>("no profile loaded yet")
    private let shuttingDown = Atomic<Bool>(false)
    /// Namespaces whose pods are never changed.
    public let excludedNamespaces: Set<String>
    public let namespaceLabels: any NamespaceLabelProvider

    public init(excludedNamespaces: Set<String>, namespaceLabels: any NamespaceLabelProvider) {
        self.excludedNamespaces = excludedNamespaces
        self.namespaceLabels = namespaceLabels
    }

    /// Puts `profile` in force for every request that starts from now on.
    public func install(_ profile: Profile) {
        reviewer.withLock { $0 = AdmissionReviewer(planner: MutationPlanner(profile: profile, excludedNamespaces: excludedNamespaces)) }
        profileProblem.withLock { $0 = nil }
    }

    /// Records that the profile could not be loaded; a profile already in force stays in force.
    public func recordProfileFailure(_ reason: String) {
        let hasProfile = reviewer.withLock { $0 != nil }
        if !hasProfile { profileProblem.withLock { $0 = reason } }
    }

    /// The reviewer for one request, or nil when no profile has loaded yet.
    public var currentReviewer: AdmissionReviewer? {
        reviewer.withLock { $0 }
    }

    /// Marks the process as shutting down: readiness fails from now on.
    public func beginShutdown() {
        shuttingDown.store(true, ordering: .relaxed)
    }

    /// Why the webhook should not receive traffic, or nil when it is ready.
    public var notReadyReason: String? {
        if shuttingDown.load(ordering: .relaxed) { return "shutting down" }
        if let problem = profileProblem.withLock({ $0 }) { return "profile: \(problem)" }
        if let problem = namespaceLabels.notReadyReason { return "namespace labels: \(problem)" }
        return nil
    }
}
