/// The answer to a LIST: the items and the collection's resourceVersion to watch from.
public struct KubernetesObjectList<Object: KubernetesObject>: Sendable, Decodable {
    /// The objects.
    public var items: [Object]
    /// `metadata.resourceVersion` of the list.
    public var resourceVersion: String

    private struct ListMeta: Decodable { var resourceVersion: String? }
    enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decodeIfPresent([Object].self, forKey: .items) ?? []
        resourceVersion = try container.decodeIfPresent(ListMeta.self, forKey: .metadata)?.resourceVersion ?? ""
    }
}
