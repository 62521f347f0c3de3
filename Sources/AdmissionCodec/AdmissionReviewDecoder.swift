import ECIProfileCore

/// Reads AdmissionReview request bodies (admission.k8s.io/v1 and v1beta1 share one shape).
public enum AdmissionReviewDecoder {
    /// The longest `request.uid` accepted. Kubernetes uids are 36-character UUIDs; the bound keeps a
    /// client from making the webhook echo megabytes back.
    public static let maximumUIDBytes = 256

    /// Decodes `body`, checking that all of it is valid JSON.
    public static func decode(_ body: [UInt8]) throws(AdmissionDecodingError) -> AdmissionRequest {
        try decode(body[...])
    }

    /// Decodes `body` (a server request's body is a slice of its connection's buffer), checking that
    /// all of it is valid JSON.
    public static func decode(_ body: ArraySlice<UInt8>) throws(AdmissionDecodingError) -> AdmissionRequest {
        let result: Result<AdmissionRequest, AdmissionDecodingError> = body.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(JSONError) {
                return try decodeReview(&reader)
            } catch {
                return .failure(.malformedJSON(error))
            }
        }
        return try result.get()
    }

    private static func decodeReview(_ reader: inout JSONReader) throws(JSONError) -> Result<AdmissionRequest, AdmissionDecodingError> {
        guard try reader.peekKind() == .object else {
            try reader.skipValue()
            try reader.expectEnd()
            return .failure(.notAdmissionReview("the document is not an object"))
        }
        // apiVersion and kind are compared in place (views of the body): only an error message
        // decodes them.
        var apiVersion: JSONKey?
        var kind: JSONKey?
        var request = PartialRequest()
        var hasRequest = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "apiVersion", try reader.peekKind() == .string {
                apiVersion = try reader.readStringKey()
            } else if key == "kind", try reader.peekKind() == .string {
                kind = try reader.readStringKey()
            } else if key == "request", try reader.peekKind() == .object {
                // Read in place (a repeated member starts afresh): a request read into a value of
                // its own and then stored was copied whole, pod included (measured with callgrind:
                // 1.5k instructions of the bench review).
                request = PartialRequest()
                try request.read(from: &reader)
                hasRequest = true
            } else {
                try reader.skipValue()
            }
        }
        try reader.expectEnd()
        guard let kind, kind == "AdmissionReview" else {
            return .failure(.notAdmissionReview("kind is \(kind.map { "\"\($0.string)\"" } ?? "missing"), not \"AdmissionReview\""))
        }
        let version: AdmissionAPIVersion
        if let apiVersion, apiVersion == "admission.k8s.io/v1" {
            version = .v1
        } else if let apiVersion, apiVersion == "admission.k8s.io/v1beta1" {
            version = .v1beta1
        } else {
            return .failure(.notAdmissionReview("apiVersion must be admission.k8s.io/v1 or v1beta1"))
        }
        guard hasRequest else { return .failure(.missingRequest) }
        guard !request.uid.isEmpty else { return .failure(.missingUID) }
        guard request.uid.utf8.count <= maximumUIDBytes else { return .failure(.uidTooLong(request.uid.utf8.count)) }
        let attributes = AdmissionAttributes(operation: request.operation, group: request.group, resource: request.resource,
                                             subResource: request.subResource, namespace: request.namespace)
        return .success(AdmissionRequest(apiVersion: version, uid: request.uid, attributes: attributes, dryRun: request.dryRun, pod: request.pod))
    }
}

/// The `request` member as it is read, before the review's own fields are checked.
private struct PartialRequest {
    var uid = ""
    var operation = ""
    var group = ""
    var resource = ""
    var subResource = ""
    var namespace = ""
    var dryRun = false
    var pod: Result<PodSnapshot, PodDecodingError>?

    mutating func read(from reader: inout JSONReader) throws(JSONError) {
        try reader.beginObject()
        // The name first: most members are skipped, and their kind is then never needed.
        while let key = try reader.nextKey() {
            if key == "uid", try reader.peekKind() == .string {
                uid = try reader.readString()
            } else if key == "operation", try reader.peekKind() == .string {
                operation = try reader.readString()
            } else if key == "subResource", try reader.peekKind() == .string {
                subResource = try reader.readString()
            } else if key == "namespace", try reader.peekKind() == .string {
                namespace = try reader.readString()
            } else if key == "dryRun", try reader.peekKind() == .bool {
                dryRun = try reader.readBool()
            } else if key == "resource", try reader.peekKind() == .object {
                try readResource(&reader)
            } else if key == "object", try reader.peekKind() == .object {
                pod = try Self.readPod(&reader)
            } else {
                try reader.skipValue()
            }
        }
    }

    private mutating func readResource(_ reader: inout JSONReader) throws(JSONError) {
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "group", try reader.peekKind() == .string {
                group = try reader.readString()
            } else if key == "resource", try reader.peekKind() == .string {
                resource = try reader.readString()
            } else {
                try reader.skipValue()
            }
        }
    }

    /// Reads the object as a pod in one pass; when it is not pod-shaped, skips it from the start
    /// instead, so the rest of the body is still checked.
    private static func readPod(_ reader: inout JSONReader) throws(JSONError) -> Result<PodSnapshot, PodDecodingError> {
        var attempt = reader
        do {
            let pod = try PodSnapshot(from: &attempt)
            reader = attempt
            return .success(pod)
        } catch let error as PodDecodingError {
            try reader.skipValue()
            return .failure(error)
        } catch let error as JSONError {
            throw error
        } catch {
            throw reader.error("\(error)")
        }
    }
}
