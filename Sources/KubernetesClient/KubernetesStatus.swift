import Foundation

/// A `meta/v1` Status: the body of an API error and the object of a watch `ERROR` event.
public struct KubernetesStatus: Sendable, Equatable, Decodable {
    /// The HTTP status code the error corresponds to (410 means the resource version is gone).
    public var code: Int
    /// Machine-readable reason, such as `Expired` or `NotFound`.
    public var reason: String?
    /// Human-readable description.
    public var message: String?

    /// Creates a status from its parts.
    public init(code: Int, reason: String? = nil, message: String? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    /// The Status in an error body, or one made from the HTTP status when the body is not a Status.
    static func fromErrorBody(_ body: [UInt8], httpStatus: Int) -> KubernetesStatus {
        if var status = try? JSONDecoder().decode(KubernetesStatus.self, from: Data(body)) {
            if status.code == 0 { status.code = httpStatus }
            return status
        }
        return KubernetesStatus(code: httpStatus, message: String(decoding: body.prefix(256), as: UTF8.self))
    }

    enum CodingKeys: String, CodingKey { case code, reason, message }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(Int.self, forKey: .code) ?? 0
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        message = try container.decodeIfPresent(String.self, forKey: .message)
    }
}
