import ECIProfileCore
import Foundation
import KubernetesClient
import Logging
import Observability
import Synchronization

/// The profile and namespace labels from the Kubernetes API (SPEC §4): list+watch of the one
/// ConfigMap (by field selector, so RBAC can name it) and of namespaces. Every profile version
/// is validated whole; an invalid one leaves the last good profile in force, is logged, counted
/// and recorded once as an `InvalidProfile` Event on the ConfigMap.
final class KubernetesSources: Sendable {
    let client: KubernetesClient
    let profileNamespace: String
    let profileName: String
    let state: WebhookState
    let labels: KubernetesNamespaceLabels
    let events: EventRecorder
    let metrics: WebhookMetrics
    let logger: Logger
    let reflectorConfiguration: ReflectorConfiguration
    /// The resourceVersion last applied, and the last one reported as invalid.
    private let seen = Mutex<(applied: String?, reported: String?)>((nil, nil))

    init(client: KubernetesClient, profileNamespace: String, profileName: String, state: WebhookState,
         labels: KubernetesNamespaceLabels, metrics: WebhookMetrics, logger: Logger,
         reflectorConfiguration: ReflectorConfiguration = ReflectorConfiguration()) {
        self.client = client
        self.profileNamespace = profileNamespace
        self.profileName = profileName
        self.state = state
        self.labels = labels
        self.events = EventRecorder(client: client, logger: logger)
        self.metrics = metrics
        self.logger = logger
        self.reflectorConfiguration = reflectorConfiguration
    }

    /// Starts both watches; they run until the returned task is cancelled.
    func start() -> Task<Void, Never> {
        Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.watchProfile() }
                group.addTask { await self.watchNamespaces() }
            }
        }
    }

    private func watchProfile() async {
        let reflector = Reflector<ConfigMap>(client: client, path: "/api/v1/namespaces/\(profileNamespace)/configmaps",
                                             fieldSelector: "metadata.name=\(profileName)",
                                             configuration: reflectorConfiguration, logger: logger)
        await reflector.run { [self] event in
            switch event {
            case .replaced(let items): await apply(items.first { $0.metadata.name == profileName })
            case .added(let configMap), .modified(let configMap): await apply(configMap)
            case .deleted: await apply(nil)
            }
        }
    }

    private func watchNamespaces() async {
        let reflector = Reflector<Namespace>(client: client, path: "/api/v1/namespaces", configuration: reflectorConfiguration, logger: logger)
        await reflector.run { [self] event in
            switch event {
            case .replaced(let namespaces): labels.replaceAll(namespaces)
            case .added(let namespace), .modified(let namespace): labels.update(namespace)
            case .deleted(let namespace): labels.remove(namespace)
            }
            metrics.setNamespaceCacheSize(labels.count)
        }
    }

    /// Puts a ConfigMap version in force, or reports why not; nil (absent or deleted) is the empty profile.
    func apply(_ configMap: ConfigMap?) async {
        // Re-lists repeat what is already in force, absence included: apply each state once.
        let version = configMap == nil ? "absent" : configMap?.metadata.resourceVersion ?? "unversioned"
        let isNew = seen.withLock { seen in
            defer { seen.applied = version }
            return seen.applied != version
        }
        guard isNew else { return }
        let metadata: Logger.Metadata = ["profile.configmap": "\(profileNamespace)/\(profileName)", "profile.resourceVersion": "\(version)"]
        let loader = ProfileLoader(source: "kubernetes", state: state, metrics: metrics, logger: logger)
        guard let configMap else {
            loader.installEmpty("profile ConfigMap absent", metadata: metadata)
            return
        }
        if let errors = loader.apply(configMap.data, origin: "ConfigMap \(profileNamespace)/\(profileName)", metadata: metadata) {
            await reportInvalid(configMap, errors: errors)
        }
    }

    /// One Event per invalid resourceVersion. Its name is derived from the version, so the
    /// other replicas' identical Events are refused as already existing.
    private func reportInvalid(_ configMap: ConfigMap, errors: [ProfileIssue]) async {
        let version = configMap.metadata.resourceVersion ?? "unknown"
        let first = seen.withLock { seen in
            defer { seen.reported = version }
            return seen.reported != version
        }
        guard first else { return }
        let message = "profile rejected, the previous one stays in force: " + errors.map(\.description).joined(separator: "; ")
        do {
            try await events.record(involvedObject: ObjectReference(configMap: configMap), reason: "InvalidProfile", message: message,
                                    name: "\(configMap.metadata.name).invalid-profile.\(version)")
        } catch {
            logger.warning("could not record the InvalidProfile event: \(error)")
        }
    }

}
