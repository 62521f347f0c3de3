/// The `metadata` fields of an API object that the webhook uses.
public struct ObjectMeta: Sendable, Equatable, Decodable {
    /// Object name.
    public var name: String
    /// Namespace; nil for cluster-scoped objects.
    public var namespace: String?
    /// Unique ID of this incarnation of the object.
    public var uid: String?
    /// Version of the object for optimistic concurrency and watches.
    public var resourceVersion: String?
    /// Labels; empty when the object has none.
    public var labels: [String: String]

    /// Creates metadata from its parts.
    public init(
        name: String, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil, labels: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey { case name, namespace, uid, resourceVersion, labels }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }
}
