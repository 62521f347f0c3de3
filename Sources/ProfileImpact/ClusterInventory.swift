internal import ECIProfileCore
public import KubernetesClient

/// Reads from a cluster what `diff` needs, with paginated LIST calls only (read-only, the
/// `list` verb): the namespaces' labels, the workloads' pod templates, and the profile ConfigMap.
public struct ClusterInventory: Sendable {
    /// Objects listed so far, for progress reports.
    public struct Progress: Sendable {
        /// The collection being listed, e.g. `/apis/apps/v1/deployments`.
        public var collection: String
        /// Objects of that collection listed so far.
        public var objects: Int

        public init(collection: String, objects: Int) {
            self.collection = collection
            self.objects = objects
        }
    }

    /// Why the cluster's answer cannot be used.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    let client: KubernetesClient
    /// Items per LIST page (kubectl asks for 500).
    public var pageSize: Int

    public init(client: KubernetesClient, pageSize: Int = 500) {
        self.client = client
        self.pageSize = pageSize
    }

    /// The labels of every namespace.
    public func namespaceLabels(report: (Progress) -> Void = { _ in }) async throws -> [String: [String: String]] {
        var labels: [String: [String: String]] = [:]
        try await list("/api/v1/namespaces", report: report) { namespace in
            guard let name = namespace["metadata"]?["name"]?.stringValue else { return }
            var entries: [String: String] = [:]
            if case .object(let members)? = namespace["metadata"]?["labels"] {
                for member in members { entries[member.key] = member.value.stringValue ?? "" }
            }
            labels[name] = entries
        }
        return labels
    }

    /// A subject per workload of every kind in `WorkloadKind`, in every namespace. ReplicaSets
    /// and Jobs that a controller owns (a Deployment's, a CronJob's) are left out: their owner's
    /// template is the one new pods come from. Objects that cannot be read are `problems`.
    public func subjects(report: (Progress) -> Void = { _ in }) async throws -> (subjects: [ImpactSubject], problems: [String]) {
        var subjects: [ImpactSubject] = []
        var problems: [String] = []
        for kind in WorkloadKind.allCases {
            try await list(kind.clusterListPath, report: report) { object in
                if kind == .replicaSet || kind == .job, Self.hasController(object) { return }
                var workload = object
                // Items of a LIST carry no kind.
                if case .object(var members) = workload, workload["kind"] == nil {
                    members.insert(JSONMember("kind", .string(kind.rawValue)), at: 0)
                    workload = .object(members)
                }
                do {
                    if let subject = try ImpactSubject.fromObject(workload, source: "cluster", defaultNamespace: "default") {
                        subjects.append(subject)
                    }
                } catch {
                    problems.append("cluster: \(error)")
                }
            }
        }
        return (subjects, problems)
    }

    /// The `data` of ConfigMap `namespace/name`, or nil when there is none.
    public func configMapData(namespace: String, name: String) async throws -> [String: String]? {
        var data: [String: String]?
        try await list("/api/v1/namespaces/\(namespace)/configmaps", fieldSelector: "metadata.name=\(name)", report: { _ in }) { configMap in
            var entries: [String: String] = [:]
            if case .object(let members)? = configMap["data"] {
                for member in members { entries[member.key] = member.value.stringValue ?? "" }
            }
            data = entries
        }
        return data
    }

    /// Lists a collection page by page, calling `item` for each object and `report` after each page.
    private func list(_ path: String, fieldSelector: String? = nil, report: (Progress) -> Void,
                      item: (JSONValue) -> Void) async throws {
        var progress = Progress(collection: path, objects: 0)
        var continueToken: String?
        repeat {
            let body = try await client.listPage(path: path, limit: pageSize, continueToken: continueToken, fieldSelector: fieldSelector)
            let page: JSONValue
            do {
                page = try JSONValue(parsing: body)
            } catch {
                throw ReadError(description: "\(path): the answer is not JSON: \(error)")
            }
            guard case .array(let items)? = page["items"] else {
                throw ReadError(description: "\(path): the answer has no items")
            }
            items.forEach(item)
            progress.objects += items.count
            report(progress)
            continueToken = page["metadata"]?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while continueToken != nil
    }

    private static func hasController(_ object: JSONValue) -> Bool {
        guard case .array(let owners)? = object["metadata"]?["ownerReferences"] else { return false }
        return owners.contains { $0["controller"] == .bool(true) }
    }
}
