import ECIProfileCore
internal import Yams

/// Why a profile file could not be read.
public enum ProfileFileError: Error, Sendable, CustomStringConvertible {
    /// The file or directory cannot be read at all.
    case unreadable(path: String, reason: String)
    /// The file was read but is not a ConfigMap with string data.
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .malformed(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Reads the `data` of the eci-profile ConfigMap from a file: a ConfigMap YAML (or JSON) file,
/// or a directory as kubelet mounts a ConfigMap (one file per key, hidden entries such as
/// `..data` skipped).
public enum ConfigMapFile {
    /// A ConfigMap's data and where each value starts in its file.
    public struct Contents: Sendable {
        /// The `data` map.
        public var data: [String: String]
        /// For a ConfigMap YAML file, the 1-based line where each key's value text starts (the
        /// line after `key: |` for a block scalar); empty for a mounted directory, where each
        /// value is a file of its own.
        public var valueLines: [String: Int]
    }

    /// The data map found at `path`.
    public static func loadData(at path: String) throws(ProfileFileError) -> [String: String] {
        try load(at: path).data
    }

    /// The data map found at `path`, with the lines where its values start.
    public static func load(at path: String) throws(ProfileFileError) -> Contents {
        switch LocalFiles.kind(of: path) {
        case .missing: throw .unreadable(path: path, reason: "no such file or directory")
        case .directory: Contents(data: try loadDirectory(path), valueLines: [:])
        case .other: try loadDocument(path)
        }
    }

    private static func loadDirectory(_ path: String) throws(ProfileFileError) -> [String: String] {
        var data: [String: String] = [:]
        for name in try LocalFiles.visibleNames(in: path) {
            let file = LocalFiles.path(name, in: path)
            guard LocalFiles.kind(of: file) == .other else { continue }
            data[name] = try readText(file)
        }
        return data
    }

    private static func loadDocument(_ path: String) throws(ProfileFileError) -> Contents {
        let text = try readText(path)
        if let json = JSONConfigMap(text) { return try contents(of: json.document, valueLines: json.valueLines, path: path) }
        let node: Node
        let document: JSONValue
        do {
            node = try JSONValue.composeYAML(text)
            document = try JSONValue(node)
        } catch {
            throw .malformed(path: path, reason: error.description)
        }
        return try contents(of: document, valueLines: valueLines(of: node), path: path)
    }

    /// The `data` of a ConfigMap document.
    private static func contents(of document: JSONValue, valueLines: @autoclosure () -> [String: Int],
                                 path: String) throws(ProfileFileError) -> Contents {
        guard document["kind"]?.stringValue == "ConfigMap" else {
            throw .malformed(path: path, reason: "not a ConfigMap (kind: ConfigMap)")
        }
        guard let data = document["data"] else { return Contents(data: [:], valueLines: [:]) }
        if case .null = data { return Contents(data: [:], valueLines: [:]) }
        guard case .object(let members) = data else {
            throw .malformed(path: path, reason: "data must be a mapping of strings")
        }
        var result: [String: String] = [:]
        for member in members {
            guard let text = member.value.stringValue else {
                throw .malformed(path: path, reason: "data.\(member.key) must be a string; quote it")
            }
            result[member.key] = text
        }
        return Contents(data: result, valueLines: valueLines())
    }

    /// The line where each value of the `data` mapping starts: a block scalar's text starts on
    /// the line after its `|` or `>` indicator.
    private static func valueLines(of document: Node) -> [String: Int] {
        guard case .mapping(let data)? = document["data"] else { return [:] }
        var lines: [String: Int] = [:]
        for (key, value) in data {
            guard case .scalar(let keyScalar) = key, case .scalar(let scalar) = value, let mark = scalar.mark else { continue }
            let isBlock = scalar.style == .literal || scalar.style == .folded
            lines[keyScalar.string] = mark.line + (isBlock ? 1 : 0)
        }
        return lines
    }

    /// The file's contents as UTF-8 text.
    static func readText(_ path: String) throws(ProfileFileError) -> String {
        guard let text = String(validating: try LocalFiles.read(path), as: UTF8.self) else {
            throw .malformed(path: path, reason: "not UTF-8 text")
        }
        return text
    }
}
