import ECIProfileCore
import Foundation

/// The fixture files under `Fixtures/`: real kube-apiserver AdmissionReviews, variants of them,
/// a test profile, namespace labels and hand-written expectations.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }

    static func json(_ relativePath: String) throws -> JSONValue {
        try JSONValue(parsing: bytes(relativePath))
    }

    /// The test profile as ConfigMap data (each key's JSON as a string, as in the ConfigMap),
    /// with the keys of `overrides` (a case file's `profile` object) replaced.
    static func profileData(overrides: JSONValue? = nil) throws -> [String: String] {
        guard case .object(let members) = try json("profile.json") else { return [:] }
        var data = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value.jsonString) })
        if case .object(let replaced)? = overrides {
            for member in replaced { data[member.key] = member.value.jsonString }
        }
        return data
    }

    static func profile(overrides: JSONValue? = nil) throws -> Profile {
        let result = ProfileParser.parse(try profileData(overrides: overrides))
        guard let profile = result.profile else { throw FixtureError(description: "\(result.errors)") }
        return profile
    }

    static func namespaceLabels(_ namespace: String) throws -> [String: String] {
        guard case .object(let labels)? = try json("namespaces.json")[namespace] else { return [:] }
        return Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value.stringValue ?? "") })
    }

    /// Names of the case files, without extension.
    static let caseNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("cases").path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }
}

/// A review read without the admission codec: the core's tests stay independent of it.
struct ReviewFixture {
    var attributes: AdmissionAttributes
    var object: JSONValue
    var pod: PodSnapshot

    init(_ review: JSONValue) throws {
        let request = review["request"] ?? .null
        attributes = AdmissionAttributes(
            operation: request["operation"]?.stringValue ?? "",
            group: request["resource"]?["group"]?.stringValue ?? "",
            resource: request["resource"]?["resource"]?.stringValue ?? "",
            subResource: request["subResource"]?.stringValue ?? "",
            namespace: request["namespace"]?.stringValue ?? "")
        object = request["object"] ?? .null
        // Only pod creations carry a pod; other objects (a ConfigMap) are never read as one.
        pod = attributes.isPodCreation ? try PodSnapshot(json: object.jsonBytes) : PodSnapshot()
    }

    /// The same review with `object` replaced.
    func with(object: JSONValue) throws -> ReviewFixture {
        var copy = self
        copy.object = object
        copy.pod = try PodSnapshot(json: object.jsonBytes)
        return copy
    }
}
