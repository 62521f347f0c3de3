public import ECIProfileCore

/// One object whose next pod `diff` runs through both profiles: a Pod, an AdmissionReview's
/// object, or a workload's pod template.
public struct ImpactSubject: Sendable {
    /// `Pod`, `AdmissionReview` or a workload kind.
    public var kind: String
    public var namespace: String
    public var name: String
    /// Where it was read: a file path (with `#n` for the n-th document of a stream) or `cluster`.
    public var source: String
    /// The request the webhook would see for the pod.
    public var attributes: AdmissionAttributes
    public var pod: PodSnapshot

    public init(kind: String, namespace: String, name: String, source: String, attributes: AdmissionAttributes, pod: PodSnapshot) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.source = source
        self.attributes = attributes
        self.pod = pod
    }

    /// `Kind namespace/name`, as each output line starts.
    public var displayName: String { "\(kind) \(namespace)/\(name)" }

    /// Why a document cannot be read as a subject.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The subject a Pod or workload document describes; nil for kinds `diff` does not look at
    /// (Services, ConfigMaps, …). A Pod or workload without a namespace is in `defaultNamespace`.
    public static func fromObject(_ object: JSONValue, source: String, defaultNamespace: String) throws(ReadError) -> ImpactSubject? {
        guard let kind = object["kind"]?.stringValue else { throw ReadError(description: "no kind") }
        let metadata = object["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? defaultNamespace
        let podObject: JSONValue
        let name: String
        if kind == "Pod" {
            podObject = object
            name = metadata?["name"]?.stringValue ?? metadata?["generateName"]?.stringValue ?? "<unnamed>"
        } else if let workload = WorkloadKind(rawValue: kind) {
            name = metadata?["name"]?.stringValue ?? "<unnamed>"
            guard let pod = workload.pod(of: object, namespace: namespace) else {
                throw ReadError(description: "\(kind) \(namespace)/\(name) has no pod template")
            }
            podObject = pod
        } else {
            return nil
        }
        let pod: PodSnapshot
        do {
            pod = try PodSnapshot(json: podObject.jsonBytes)
        } catch {
            throw ReadError(description: "\(kind) \(namespace)/\(name): \(error)")
        }
        return ImpactSubject(kind: kind, namespace: namespace, name: name, source: source,
                             attributes: AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: namespace), pod: pod)
    }
}
