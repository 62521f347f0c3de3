/// One line of a watch stream: `{"type": ..., "object": {...}}`.
public enum WatchEvent<Object: KubernetesObject>: Sendable, Decodable {
    /// An object was created (or existed when the watch started from an old version).
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted; the payload is its last state.
    case deleted(Object)
    /// No object changed, but the collection reached this resourceVersion.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with an error; code 410 means the version is too old.
    case error(KubernetesStatus)

    private struct BookmarkObject: Decodable {
        struct Metadata: Decodable { var resourceVersion: String }
        var metadata: Metadata
    }

    enum CodingKeys: String, CodingKey { case type, object }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            self = .bookmark(resourceVersion: try container.decode(BookmarkObject.self, forKey: .object).metadata.resourceVersion)
        case "ERROR": self = .error(try container.decode(KubernetesStatus.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }
}
