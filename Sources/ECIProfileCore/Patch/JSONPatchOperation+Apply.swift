/// Why a patch could not be applied.
public struct JSONPatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: JSONPointer
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension Array where Element == JSONPatchOperation {
    /// Applies the operations in order to `document` (RFC 6902 `add` semantics: a member is set,
    /// an array index inserts, `-` appends). Used by the CLI's `--output pod`.
    public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var result = document
        for operation in self {
            try JSONPatchOperation.add(operation.value, at: operation.path.tokens[...], in: &result, full: operation.path)
        }
        return result
    }
}

extension JSONPatchOperation {
    fileprivate static func add(_ value: JSONValue, at tokens: ArraySlice<String>, in target: inout JSONValue, full: JSONPointer) throws(JSONPatchError) {
        guard let token = tokens.first else {
            target = value
            return
        }
        let rest = tokens.dropFirst()
        switch target {
        case .object(var members):
            // Of a repeated member name, the last counts, as `JSONValue`'s subscript reads it.
            if let index = members.lastIndex(where: { $0.key == token }) {
                if rest.isEmpty {
                    members[index].value = value
                } else {
                    try add(value, at: rest, in: &members[index].value, full: full)
                }
            } else {
                guard rest.isEmpty else { throw JSONPatchError(path: full, message: "member \"\(token)\" does not exist") }
                members.append(JSONMember(token, value))
            }
            target = .object(members)
        case .array(var elements):
            let index = token == "-" ? elements.count : Int(token)
            guard let index, index >= 0, index <= elements.count else {
                throw JSONPatchError(path: full, message: "bad array index \"\(token)\"")
            }
            if rest.isEmpty {
                elements.insert(value, at: index)
            } else {
                guard index < elements.count else { throw JSONPatchError(path: full, message: "array index \(index) out of range") }
                try add(value, at: rest, in: &elements[index], full: full)
            }
            target = .array(elements)
        default:
            throw JSONPatchError(path: full, message: "cannot add into a \(target.typeName)")
        }
    }
}
