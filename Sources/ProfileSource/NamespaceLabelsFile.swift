import ECIProfileCore

/// Reads namespace labels for offline use: a YAML or JSON mapping of namespace name to a
/// mapping of label keys to values, e.g. `batch: {team: batch}`.
public enum NamespaceLabelsFile {
    /// The labels of each namespace in the file at `path`.
    public static func load(at path: String) throws(ProfileFileError) -> [String: [String: String]] {
        let text = try ConfigMapFile.readText(path)
        // JSON text is read without the YAML parser (see JSONConfigMap); anything else, invalid JSON
        // included, goes to the YAML reader, whose message says where the text goes wrong as YAML.
        let document: JSONValue
        do throws(JSONError) {
            document = try JSONValue(parsing: text)
        } catch {
            do {
                document = try JSONValue(yaml: text)
            } catch {
                throw .malformed(path: path, reason: error.description)
            }
        }
        guard case .object(let namespaces) = document else {
            throw .malformed(path: path, reason: "must be a mapping of namespace names to label mappings")
        }
        var result: [String: [String: String]] = [:]
        for namespace in namespaces {
            var labels: [String: String] = [:]
            if case .object(let members) = namespace.value {
                for member in members {
                    guard let value = member.value.stringValue else {
                        throw .malformed(path: path, reason: "\(namespace.key).\(member.key) must be a string; quote it")
                    }
                    labels[member.key] = value
                }
            } else if namespace.value != .null {
                throw .malformed(path: path, reason: "\(namespace.key) must be a mapping of labels")
            }
            result[namespace.key] = labels
        }
        return result
    }

    /// Parses `key=value` pairs separated by commas, as the CLI's `--namespace-labels` takes them.
    public static func parsePairs(_ text: String) -> [String: String]? {
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            labels[String(parts[0])] = String(parts[1])
        }
        return labels
    }
}
