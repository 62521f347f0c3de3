/// A core/v1 Namespace: its name and labels.
public struct Namespace: KubernetesObject, Equatable {
    /// Name and labels.
    public var metadata: ObjectMeta

    /// Creates a Namespace from its metadata.
    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }

    /// The namespace's name.
    public var name: String { metadata.name }

    /// The namespace's labels.
    public var labels: [String: String] { metadata.labels }
}
