internal import AdmissionCodec
internal import ECIProfileCore
internal import Foundation
internal import ProfileSource

/// Reads the inputs of `diff` into subjects: files and directories of AdmissionReviews, Pods and
/// workloads, in YAML (several documents per file too) or JSON, and `kind: List` of them.
/// Objects of other kinds are skipped; what cannot be read is collected as a problem, so one bad
/// file does not hide the others.
public struct ImpactInputReader {
    /// The namespace of a Pod or workload without `metadata.namespace`.
    public var defaultNamespace: String
    /// Everything read so far, in input order.
    public private(set) var subjects: [ImpactSubject] = []
    /// Inputs that could not be read, each `source: reason`.
    public private(set) var problems: [String] = []

    public init(defaultNamespace: String = "default") {
        self.defaultNamespace = defaultNamespace
    }

    /// Reads a file, or every `.yaml`, `.yml` and `.json` file under a directory (sorted, hidden
    /// entries skipped).
    public mutating func read(path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problems.append("\(path): cannot read: no such file or directory")
            return
        }
        guard isDirectory.boolValue else {
            readFile(path)
            return
        }
        let files = (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
            .filter { file in
                !file.split(separator: "/").contains { $0.hasPrefix(".") }
                    && [".yaml", ".yml", ".json"].contains { file.hasSuffix($0) }
            }
            .sorted()
        for file in files { readFile((path as NSString).appendingPathComponent(file)) }
    }

    private mutating func readFile(_ path: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            problems.append("\(path): cannot read: permission denied or not a regular file")
            return
        }
        read(bytes: Array(data), source: path)
    }

    /// Reads the documents in `bytes` (JSON, or a YAML stream); `source` names them in output.
    public mutating func read(bytes: [UInt8], source: String) {
        let documents: [JSONValue]
        if let first = bytes.first(where: { !$0.isJSONWhitespace }), first == UInt8(ascii: "{"),
           let json = try? JSONValue(parsing: bytes) {
            documents = [json]
        } else {
            do {
                documents = try JSONValue.documents(yaml: String(decoding: bytes, as: UTF8.self))
            } catch {
                problems.append("\(source): \(error)")
                return
            }
        }
        for (index, document) in documents.enumerated() {
            read(document, source: documents.count > 1 ? "\(source)#\(index + 1)" : source)
        }
    }

    private mutating func read(_ document: JSONValue, source: String) {
        let kind = document["kind"]?.stringValue ?? ""
        if kind.hasSuffix("List"), let items = document["items"] {
            // `kind: List` and typed lists such as `DeploymentList`, as `kubectl get -o yaml` writes them.
            guard case .array(let elements) = items else {
                problems.append("\(source): items must be a list")
                return
            }
            for element in elements { read(element, source: source) }
        } else if kind == "AdmissionReview" {
            readReview(document, source: source)
        } else {
            do {
                if let subject = try ImpactSubject.fromObject(document, source: source, defaultNamespace: defaultNamespace) {
                    subjects.append(subject)
                }
            } catch {
                problems.append("\(source): \(error)")
            }
        }
    }

    private mutating func readReview(_ document: JSONValue, source: String) {
        let request: AdmissionRequest
        do {
            request = try AdmissionReviewDecoder.decode(document.jsonBytes)
        } catch {
            problems.append("\(source): \(error)")
            return
        }
        // Like a Service among workloads: the webhook never changes anything but a pod creation.
        guard request.attributes.isPodCreation else { return }
        switch request.pod {
        case .success(let pod)?:
            subjects.append(ImpactSubject(kind: "Pod", namespace: request.attributes.namespace, name: pod.displayName,
                                          source: source, attributes: request.attributes, pod: pod))
        case .failure(let error)?:
            problems.append("\(source): \(error)")
        case nil:
            problems.append("\(source): the AdmissionReview has no object")
        }
    }
}

extension UInt8 {
    fileprivate var isJSONWhitespace: Bool {
        self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09
    }
}
