import AdmissionCodec
import ArgumentParser
import ECIProfileCore
import ProfileSource

/// The input of `eci-profile mutate`: an AdmissionReview, or a bare Pod wrapped into a pod
/// CREATE review, so both go through exactly what the server does.
struct MutationPreview {
    /// Why the input cannot be previewed.
    struct InputError: Error, CustomStringConvertible {
        var description: String
    }

    /// How the input was written.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, yaml
    }

    var request: AdmissionRequest
    /// The object under review, as the patch applies to it.
    var object: JSONValue
    var format: Format

    init(input: [UInt8], defaultNamespace: String) throws {
        let document: JSONValue
        if let json = try? JSONValue(parsing: input) {
            document = json
            format = .json
        } else {
            document = try JSONValue(yaml: String(decoding: input, as: UTF8.self))
            format = .yaml
        }
        switch document["kind"]?.stringValue {
        case "AdmissionReview":
            request = try AdmissionReviewDecoder.decode(document.jsonBytes)
            object = document["request"]?["object"] ?? .null
        case "Pod":
            object = document
            let namespace = document["metadata"]?["namespace"]?.stringValue ?? defaultNamespace
            request = AdmissionRequest(apiVersion: .v1, uid: "00000000-0000-0000-0000-000000000000",
                                       attributes: AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: namespace),
                                       pod: Result { try PodSnapshot(json: document.jsonBytes) }.mapError {
                                           PodDecodingError(description: "\($0)")
                                       })
        default:
            throw InputError(description: "expected an AdmissionReview or a Pod (kind)")
        }
    }
}
