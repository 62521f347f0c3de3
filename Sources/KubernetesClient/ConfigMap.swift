/// A core/v1 ConfigMap: metadata and its string data.
public struct ConfigMap: KubernetesObject, Equatable {
    /// Name, namespace, uid and resourceVersion.
    public var metadata: ObjectMeta
    /// The `data` map; empty when absent.
    public var data: [String: String]

    /// Creates a ConfigMap from its parts.
    public init(metadata: ObjectMeta, data: [String: String] = [:]) {
        self.metadata = metadata
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case metadata, data }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        data = try container.decodeIfPresent([String: String].self, forKey: .data) ?? [:]
    }
}
