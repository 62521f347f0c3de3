/// One operation of an RFC 6902 JSON Patch. The webhook only ever adds: it never replaces or
/// removes what the pod's author wrote.
public struct JSONPatchOperation: Sendable, Equatable {
    public var path: JSONPointer
    public var value: JSONValue

    /// An `add` of `value` at `path`.
    public static func add(_ path: JSONPointer, _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(path: path, value: value)
    }

    /// The operation as a JSON Patch member.
    public var jsonValue: JSONValue {
        .object([JSONMember("op", .string("add")), JSONMember("path", .string(path.description)), JSONMember("value", value)])
    }
}

extension Array where Element == JSONPatchOperation {
    /// The patch as JSON text (`[{"op":"add",...}]`).
    public var jsonBytes: [UInt8] {
        JSONValue.array(map(\.jsonValue)).jsonBytes
    }
}
