/// An API object the client can decode: anything with standard object metadata.
public protocol KubernetesObject: Decodable, Sendable {
    /// The object's metadata.
    var metadata: ObjectMeta { get }
}

extension KubernetesObject {
    /// `namespace/name` (or `name` for cluster-scoped objects): the object's identity in a store.
    public var storeKey: String {
        if let namespace = metadata.namespace, !namespace.isEmpty { "\(namespace)/\(metadata.name)" } else { metadata.name }
    }
}
