internal import ECIProfileCore

/// The objects whose pod templates `diff` reads: the pods they create next are what a profile
/// change affects.
public enum WorkloadKind: String, Sendable, CaseIterable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"
    case replicaSet = "ReplicaSet"
    case job = "Job"
    case cronJob = "CronJob"

    /// The collection every namespace's objects of this kind are listed from.
    public var clusterListPath: String {
        switch self {
        case .deployment: "/apis/apps/v1/deployments"
        case .statefulSet: "/apis/apps/v1/statefulsets"
        case .daemonSet: "/apis/apps/v1/daemonsets"
        case .replicaSet: "/apis/apps/v1/replicasets"
        case .job: "/apis/batch/v1/jobs"
        case .cronJob: "/apis/batch/v1/cronjobs"
        }
    }

    /// Where the pod template sits in an object of this kind.
    var templatePath: [String] {
        self == .cronJob ? ["spec", "jobTemplate", "spec", "template"] : ["spec", "template"]
    }

    /// The kind of the object its controller sets as the pods' owner: a CronJob's pods belong
    /// to its Jobs, a Deployment's to its ReplicaSets, every other workload owns its pods.
    var podOwnerKind: String {
        switch self {
        case .cronJob: "Job"
        case .deployment: "ReplicaSet"
        default: rawValue
        }
    }

    /// The API group and version of the owner reference its controller writes.
    var podOwnerAPIVersion: String {
        podOwnerKind == "Job" ? "batch/v1" : "apps/v1"
    }

    /// The pod this workload's controller would create next, as the webhook sees it: the
    /// template's metadata and spec, in the workload's namespace, owned by the controller's
    /// object (a DaemonSet's pods are DaemonSet pods, which the compatibility checks catch).
    func pod(of workload: JSONValue, namespace: String) -> JSONValue? {
        var template: JSONValue? = workload
        for key in templatePath { template = template?[key] }
        guard case .object? = template else { return nil }
        let name = workload["metadata"]?["name"]?.stringValue ?? ""
        var metadata: [JSONMember] = []
        if case .object(let members)? = template?["metadata"] {
            metadata = members.filter { $0.key != "namespace" && $0.key != "ownerReferences" }
        }
        metadata.append(JSONMember("namespace", .string(namespace)))
        metadata.append(JSONMember("generateName", .string(name + "-")))
        let owner = JSONValue.object([
            JSONMember("apiVersion", .string(podOwnerAPIVersion)), JSONMember("kind", .string(podOwnerKind)),
            JSONMember("name", .string(name)), JSONMember("controller", .bool(true)),
        ])
        metadata.append(JSONMember("ownerReferences", .array([owner])))
        return .object([
            JSONMember("apiVersion", .string("v1")), JSONMember("kind", .string("Pod")),
            JSONMember("metadata", .object(metadata)), JSONMember("spec", template?["spec"] ?? JSONValue.object([JSONMember]())),
        ])
    }
}
