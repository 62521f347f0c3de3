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
    /// The patch as JSON text (`[{"op":"add",...}]`), written without building a tree first.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: 64 + count * 128)
        writer.writeRaw("[")
        for (index, operation) in enumerated() {
            writer.writeRaw(index == 0 ? #"{"op":"add","path":""# : #",{"op":"add","path":""#)
            writer.writeUnquoted(operation.path.description)
            writer.writeRaw(#"","value":"#)
            writer.write(operation.value)
            writer.writeRaw("}")
        }
        writer.writeRaw("]")
        return writer.bytes
    }
}
