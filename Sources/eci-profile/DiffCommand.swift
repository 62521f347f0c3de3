import ArgumentParser
import ECIProfileCore
import Foundation
import KubernetesClient
import Logging
import ProfileImpact
import ProfileSource

/// `eci-profile diff`: what replacing one profile with another does to the pods objects create next.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show which pods a profile change affects: every object whose next pod fares differently.",
        discussion: """
            INPUT: AdmissionReviews, Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs \
            (YAML, several documents per file, or JSON; kind: List too), or directories of them; - reads standard input. \
            Without INPUT, the workloads and namespaces are listed from the cluster (--kubeconfig, or in a cluster); \
            OLD or NEW may then be `cluster`, the live ConfigMap. \
            Exit status: 0 nothing changes, 1 something changes, 2 trouble (as diff(1)).
            """
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The profile in force: a ConfigMap YAML file, a mounted ConfigMap directory, or `cluster`.")
    var old: String

    @Argument(help: "The profile to compare it with, written the same way.")
    var new: String

    @Argument(help: "Files or directories of objects; none: the cluster's workloads.")
    var inputs: [String] = []

    /// Without a labels flag, the labels are the cluster's when there is one.
    @OptionGroup var namespaces: NamespaceOptions

    @Option(help: "A kubeconfig for reading the cluster (default in a cluster: the service account).")
    var kubeconfig: String?

    @Option(help: "Namespace of the profile ConfigMap, for `cluster`.")
    var profileNamespace = "kube-system"

    @Option(help: "Name of the profile ConfigMap, for `cluster`.")
    var profileName = "eci-profile"

    @Option(help: "Objects per LIST page when reading the cluster.")
    var pageSize = 500

    @Option(name: [.customShort("o"), .long], help: "text (a line per changed object and a summary) or json.")
    var output: Output = .text

    func validate() throws {
        if pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        if !canReachCluster, inputs.isEmpty || old == "cluster" || new == "cluster" {
            throw ValidationError("reading the cluster (no INPUT, or a `cluster` profile) needs --kubeconfig or a pod's service account")
        }
    }

    /// Whether a cluster is at hand: a kubeconfig, or a pod's service account.
    private var canReachCluster: Bool {
        kubeconfig != nil || !(ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty
    }

    func run() throws {
        let inventory = try clusterInventory()
        let oldProfile = try profile(old, inventory: inventory)
        let newProfile = try profile(new, inventory: inventory)
        var problems: [String] = []
        let subjects: [ImpactSubject]
        let progress = ListingProgress(clock: ContinuousClock(), write: printError)
        if inputs.isEmpty, let inventory {
            let listed = try fromCluster { try await inventory.subjects(report: progress.record) }
            subjects = listed.subjects
            problems += listed.problems
        } else {
            var reader = ImpactInputReader(defaultNamespace: namespaces.namespace)
            for input in inputs {
                if input == "-" {
                    reader.read(bytes: Array(FileHandle.standardInput.readDataToEndOfFile()), source: "-")
                } else {
                    reader.read(path: input)
                }
            }
            subjects = reader.subjects
            problems += reader.problems
        }
        let labelsFor: (String) -> [String: String]
        if !namespaces.givesLabels, let inventory {
            let table = try fromCluster { try await inventory.namespaceLabels(report: progress.record) }
            labelsFor = { table[$0] ?? [:] }
        } else {
            labelsFor = try namespaces.labelsLookup()
        }
        progress.finish()
        let report = ProfileImpact(old: oldProfile, new: newProfile, excludedNamespaces: namespaces.excluded)
            .report(subjects, namespaceLabels: labelsFor)
        switch output {
        case .text:
            for change in report.changes { print(change.line) }
            print(report.summary)
        case .json:
            print(report.json(problems: problems).prettyJSONString)
        }
        for problem in problems { printError(problem) }
        if !problems.isEmpty { throw ExitCode(2) }
        if !report.changes.isEmpty { throw ExitCode(1) }
    }

    /// The cluster, when the command reads it: without INPUT, for a `cluster` profile, or for
    /// the namespaces' labels when no flag gives them.
    private func clusterInventory() throws -> ClusterInventory? {
        let needed = inputs.isEmpty || old == "cluster" || new == "cluster" || !namespaces.givesLabels
        guard needed, canReachCluster else { return nil }
        let configuration: KubernetesClientConfiguration
        do {
            configuration = try kubeconfig.map { try KubernetesClientConfiguration.fromKubeconfig(path: $0) } ?? KubernetesClientConfiguration.inCluster()
        } catch {
            printError("cannot configure the Kubernetes API client: \(error)")
            throw ExitCode(2)
        }
        var logger = Logger(label: "eci-profile.diff") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return ClusterInventory(client: KubernetesClient(configuration: configuration, logger: logger), pageSize: pageSize)
    }

    /// OLD or NEW: a file, or the cluster's ConfigMap (none: the empty profile, as the webhook
    /// runs without one). Anything unreadable or invalid exits 2.
    private func profile(_ argument: String, inventory: ClusterInventory?) throws -> Profile {
        guard argument == "cluster", let inventory else {
            do {
                return try ProfileArgument.load(argument)
            } catch is ExitCode {
                throw ExitCode(2)
            }
        }
        let source = "cluster (ConfigMap \(profileNamespace)/\(profileName))"
        let (namespace, name) = (profileNamespace, profileName)
        guard let data = try fromCluster({ try await inventory.configMapData(namespace: namespace, name: name) }) else {
            printError("\(source): not found; comparing with an empty profile, as the webhook runs without one")
            return .empty
        }
        do {
            return try ProfileArgument.validated(ProfileParser.parse(data), source: source)
        } catch is ExitCode {
            throw ExitCode(2)
        }
    }

    /// Runs one cluster read; a failure is printed and exits 2.
    private func fromCluster<Value: Sendable>(_ read: @escaping @Sendable () async throws -> Value) throws -> Value {
        do {
            return try runBlocking(read)
        } catch {
            printError("cannot read the cluster: \(error)")
            throw ExitCode(2)
        }
    }
}
