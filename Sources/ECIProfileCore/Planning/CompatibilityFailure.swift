/// A compatibility check a pod failed, naming what failed.
public struct CompatibilityFailure: Sendable, Hashable {
    public var check: CompatibilityCheck
    /// What failed, e.g. `volume "logs" uses hostPath`.
    public var reason: String

    public init(check: CompatibilityCheck, reason: String) {
        self.check = check
        self.reason = reason
    }

    /// The response warning, e.g. `volume "logs" uses hostPath, which ECI virtual nodes cannot
    /// run; pod left unchanged`.
    public var warning: String { "\(reason), which ECI virtual nodes cannot run; pod left unchanged" }
}

extension CompatibilityCheck {
    /// How `pod` fails this check, or nil when it passes.
    public func failure(of pod: PodSnapshot) -> CompatibilityFailure? {
        let facts = pod.compatibility
        let what: String
        switch self {
        case .daemonSet:
            guard let owner = facts.daemonSetOwner else { return nil }
            what = "owner DaemonSet \"\(owner)\" makes it a DaemonSet pod"
        case .nodePinned:
            guard let names = facts.pinnedNodeNames else { return nil }
            let nodes = names.isEmpty ? "named nodes" : (names.count == 1 ? "node " : "nodes ") + Self.list(names.map { "\"\($0)\"" }, limit: 5)
            what = "required node affinity pins it to \(nodes) by metadata.name"
        case .hostNetwork:
            guard facts.hostNetwork else { return nil }
            what = "spec.hostNetwork is true"
        case .hostPath:
            let volumes = facts.hostPathVolumes
            guard !volumes.isEmpty else { return nil }
            what = "\(volumes.count == 1 ? "volume" : "volumes") \(Self.list(volumes.map { "\"\($0)\"" })) \(volumes.count == 1 ? "uses" : "use") hostPath"
        case .hostPort:
            let ports = facts.hostPorts
            guard !ports.isEmpty else { return nil }
            what = "\(Self.list(ports.map { "\($0.container) (hostPort \($0.hostPort))" })) \(ports.count == 1 ? "maps a host port" : "map host ports")"
        case .privileged:
            let containers = facts.privilegedContainers
            guard !containers.isEmpty else { return nil }
            what = "\(Self.list(containers.map(\.description))) \(containers.count == 1 ? "is" : "are") privileged"
        }
        return CompatibilityFailure(check: self, reason: what)
    }

    /// `a`, `a and b`, `a, b and c`; past `limit` items, the rest are counted.
    private static func list(_ items: [String], limit: Int = .max) -> String {
        var shown = Array(items.prefix(limit))
        if items.count > limit { shown.append("\(items.count - limit) more") }
        guard let last = shown.popLast() else { return "" }
        return shown.isEmpty ? last : "\(shown.joined(separator: ", ")) and \(last)"
    }
}
