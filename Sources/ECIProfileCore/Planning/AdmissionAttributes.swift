/// What an admission request is about, independent of the AdmissionReview version.
public struct AdmissionAttributes: Sendable, Equatable {
    public var operation: String
    /// The resource's group (empty for the core group).
    public var group: String
    public var resource: String
    public var subResource: String
    public var namespace: String

    public init(operation: String, group: String = "", resource: String, subResource: String = "", namespace: String) {
        self.operation = operation
        self.group = group
        self.resource = resource
        self.subResource = subResource
        self.namespace = namespace
    }

    /// Whether this is the creation of a pod (not one of its subresources): the only request the
    /// webhook mutates.
    public var isPodCreation: Bool {
        operation == "CREATE" && group.isEmpty && resource == "pods" && subResource.isEmpty
    }
}
