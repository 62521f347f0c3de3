import ECIProfileCore
internal import Foundation

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
    /// The data map found at `path`.
    public static func loadData(at path: String) throws(ProfileFileError) -> [String: String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or directory")
        }
        return isDirectory.boolValue ? try loadDirectory(path) : try loadDocument(path)
    }

    private static func loadDirectory(_ path: String) throws(ProfileFileError) -> [String: String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var data: [String: String] = [:]
        for name in names where !name.hasPrefix(".") {
            let file = (path as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            data[name] = try readText(file)
        }
        return data
    }

    private static func loadDocument(_ path: String) throws(ProfileFileError) -> [String: String] {
        let text = try readText(path)
        let document: JSONValue
        do {
            document = try JSONValue(yaml: text)
        } catch {
            throw .malformed(path: path, reason: error.description)
        }
        guard document["kind"]?.stringValue == "ConfigMap" else {
            throw .malformed(path: path, reason: "not a ConfigMap (kind: ConfigMap)")
        }
        guard let data = document["data"] else { return [:] }
        if case .null = data { return [:] }
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
        return result
    }

    /// The file's contents as UTF-8 text.
    static func readText(_ path: String) throws(ProfileFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(path: path, reason: "not UTF-8 text")
        }
        return text
    }
}
