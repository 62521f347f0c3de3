public import ECIProfileCore

/// The AdmissionReview API versions the webhook speaks; a response uses the request's.
public enum AdmissionAPIVersion: String, Sendable, CaseIterable {
    case v1 = "admission.k8s.io/v1"
    case v1beta1 = "admission.k8s.io/v1beta1"
}

/// The parts of an AdmissionReview request the webhook reads, version-neutral.
public struct AdmissionRequest: Sendable {
    public var apiVersion: AdmissionAPIVersion
    public var uid: AdmissionUID
    public var attributes: AdmissionAttributes
    public var dryRun: Bool
    /// The object being admitted, read as a pod; nil when the request carries no object. A
    /// failure means valid JSON that is not shaped like a pod where the webhook looks.
    public var pod: Result<PodSnapshot, PodDecodingError>?

    public init(apiVersion: AdmissionAPIVersion, uid: AdmissionUID, attributes: AdmissionAttributes, dryRun: Bool = false,
                pod: Result<PodSnapshot, PodDecodingError>? = nil) {
        self.apiVersion = apiVersion
        self.uid = uid
        self.attributes = attributes
        self.dryRun = dryRun
        self.pod = pod
    }
}

/// Why a request body is not an AdmissionReview the webhook can answer (HTTP 400).
public enum AdmissionDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(JSONError)
    case notAdmissionReview(String)
    case missingRequest
    case missingUID
    /// Longer than any uid Kubernetes makes (a UUID); refused because the response echoes it.
    case uidTooLong(Int)

    /// One line for the HTTP 400 body.
    public var description: String {
        switch self {
        case .malformedJSON(let error): "body is not valid JSON: \(error)"
        case .notAdmissionReview(let why): "body is not an AdmissionReview: \(why)"
        case .missingRequest: "AdmissionReview has no request"
        case .missingUID: "AdmissionReview request has no uid"
        case .uidTooLong(let length): "AdmissionReview request.uid is \(length) bytes; at most \(AdmissionReviewDecoder.maximumUIDBytes) are accepted"
        }
    }
}
