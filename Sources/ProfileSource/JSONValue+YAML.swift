public import ECIProfileCore
internal import Yams

/// Why a YAML document could not be read.
public struct YAMLReadError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    /// Reads one YAML document (JSON is YAML too) into a JSON tree, keeping mapping order.
    /// Scalars become booleans, numbers and nulls the way the YAML 1.1 core resolver types them.
    public init(yaml text: String) throws(YAMLReadError) {
        self = try JSONValue(try Self.composeYAML(text))
    }

    /// The YAML node tree of one document, with the marks (line, column) of its nodes.
    static func composeYAML(_ text: String) throws(YAMLReadError) -> Node {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw YAMLReadError(description: "not valid YAML: \(error)")
        }
        guard let node else { throw YAMLReadError(description: "the document is empty") }
        return node
    }

    /// The JSON tree of a composed YAML node.
    init(_ node: Node) throws(YAMLReadError) {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: self = .null
            case .bool: self = .bool(node.bool ?? false)
            case .int: self = node.int.map { .number(String($0)) } ?? .string(scalar.string)
            case .float: self = node.float.flatMap { $0.isFinite ? .number(String($0)) : nil } ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [JSONMember] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw YAMLReadError(description: "mapping keys must be scalars") }
                members.append(JSONMember(keyScalar.string, try JSONValue(value)))
            }
            self = .object(members)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try JSONValue(element)) }
            self = .array(elements)
        case .alias:
            throw YAMLReadError(description: "YAML aliases are not supported")
        }
    }
}
