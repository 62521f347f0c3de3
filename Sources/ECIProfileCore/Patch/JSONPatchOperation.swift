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

    /// The operation as JSON text: `{"op":"add","path":"…","value":…}`.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: 64)
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout JSONWriter) {
        Self.writeHead(path, to: &writer)
        writer.write(value)
        writer.writeRaw("}")
    }

    /// Writes an operation adding at `path` up to its value: `{"op":"add","path":"…","value":`.
    static func writeHead(_ path: JSONPointer, to writer: inout JSONWriter) {
        writer.writeRaw(#"{"op":"add","path":""#)
        writer.writeUnquoted(path.description)
        writer.writeRaw(#"","value":"#)
    }
}

extension Array where Element == JSONPatchOperation {
    /// The patch as JSON text (`[{"op":"add",...}]`), written without building a tree first.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: 64 + count * 128)
        writer.writeRaw("[")
        for (index, operation) in enumerated() {
            if index > 0 { writer.writeRaw(",") }
            operation.write(to: &writer)
        }
        writer.writeRaw("]")
        return writer.bytes
    }

    /// Reads back the operations of a patch's JSON text; an empty text is an empty patch. Nil
    /// unless the text is an array of `add` operations. Read member by member rather than as a tree
    /// first: the CLI's `diff` reads back every patch it plans.
    public init?(jsonBytes: [UInt8]) {
        guard !jsonBytes.isEmpty else {
            self = []
            return
        }
        let operations: [JSONPatchOperation]? = jsonBytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            var operations: [JSONPatchOperation] = []
            do throws(JSONError) {
                try reader.beginArray()
                while try reader.nextElement() {
                    var isAdd = false
                    var path: JSONPointer?
                    var value: JSONValue?
                    try reader.beginObject()
                    while let key = try reader.nextKey() {
                        if key == "op" {
                            isAdd = try reader.readString() == "add"
                        } else if key == "path" {
                            path = JSONPointer(parsing: try reader.readString())
                        } else if key == "value" {
                            value = try reader.readValue()
                        } else {
                            try reader.skipValue()
                        }
                    }
                    guard isAdd, let path, let value else { return nil }
                    operations.append(.add(path, value))
                }
                try reader.expectEnd()
            } catch {
                return nil
            }
            return operations
        }
        guard let operations else { return nil }
        self = operations
    }

    /// The operations of a patch the webhook wrote itself (the planner, `jsonBytes`), which always
    /// reads back.
    public init(written jsonBytes: [UInt8]) {
        guard let operations = Self(jsonBytes: jsonBytes) else {
            preconditionFailure("a patch written by the webhook does not read back: \(String(decoding: jsonBytes, as: UTF8.self))")
        }
        self = operations
    }
}
