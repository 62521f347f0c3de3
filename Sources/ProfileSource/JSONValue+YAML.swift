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

    /// Reads every document of a YAML stream (`---` separated); empty documents are skipped.
    public static func documents(yaml text: String) throws(YAMLReadError) -> [JSONValue] {
        var documents: [JSONValue] = []
        do {
            for node in try Yams.compose_all(yaml: text) {
                documents.append(try JSONValue(node))
            }
        } catch let error as YAMLReadError {
            throw error
        } catch {
            throw YAMLReadError(description: "not valid YAML: \(error)")
        }
        return documents
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

extension JSONValue {
    /// The value as a YAML document, members in their order; strings that YAML would read as
    /// something else (`"true"`, `"8080"`, `""`) are quoted, so the text reads back to this value.
    public var yamlString: String {
        // Serializing a tree of plain scalars, sequences and mappings cannot fail.
        (try? Yams.serialize(node: yamlNode, width: -1, allowUnicode: true)) ?? ""
    }

    private var yamlNode: Node {
        switch self {
        case .null: Node("null", Tag(.null))
        case .bool(let value): Node(value ? "true" : "false", Tag(.bool))
        case .number(let literal): Node(literal, Tag(literal.contains(where: { ".eE".contains($0) }) ? .float : .int))
        case .string(let text): Self.yamlString(text)
        case .array(let elements): .sequence(Node.Sequence(elements.map(\.yamlNode)))
        case .object(let members): .mapping(Node.Mapping(members.map { (Self.yamlString($0.key), $0.value.yamlNode) }))
        }
    }

    private static func yamlString(_ text: String) -> Node {
        let plain = Node(text)
        return Tag.Name(rawValue: plain.tag.description) == .str ? plain : Node(text, Tag(.str), .doubleQuoted)
    }
}
