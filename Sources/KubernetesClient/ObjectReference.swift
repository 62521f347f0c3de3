/// A core/v1 ObjectReference: the `involvedObject` of an Event.
public struct ObjectReference: Sendable, Equatable, Codable {
    /// API group/version, such as `v1`.
    public var apiVersion: String
    /// Kind, such as `ConfigMap`.
    public var kind: String
    /// Namespace of the object.
    public var namespace: String?
    /// Name of the object.
    public var name: String
    /// UID of the object.
    public var uid: String?
    /// resourceVersion the event refers to.
    public var resourceVersion: String?

    /// Creates a reference from its parts.
    public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String?, resourceVersion: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
    }

    /// A reference to a ConfigMap as last seen.
    public init(configMap: ConfigMap) {
        self.init(
            apiVersion: "v1", kind: "ConfigMap", namespace: configMap.metadata.namespace, name: configMap.metadata.name,
            uid: configMap.metadata.uid, resourceVersion: configMap.metadata.resourceVersion
        )
    }
}
