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
    ///
    /// The request is read in place into the value returned, pod included, and only the failure
    /// travels out of the body's closure: read into a value of its own, then returned through a
    /// `Result`, it was copied twice more and destroyed twice more (callgrind, `serve`, bench
    /// review: `decode` 49.6k -> 47.3k instructions per request).
    public static func decode(_ body: ArraySlice<UInt8>) throws(AdmissionDecodingError) -> AdmissionRequest {
        var request = AdmissionRequest.unread
        let failure: AdmissionDecodingError? = body.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(JSONError) {
                return try decodeReview(&reader, into: &request)
            } catch {
                return .malformedJSON(error)
            }
        }
        if let failure { throw failure }
        return request
    }

    /// Reads the review into `request` (all of it, so that invalid JSON anywhere wins over every
    /// other complaint) and tells what is wrong with it, if anything.
    private static func decodeReview(_ reader: inout JSONReader, into request: inout AdmissionRequest) throws(JSONError) -> AdmissionDecodingError? {
        guard try reader.peekKind() == .object else {
            try reader.skipValue()
            try reader.expectEnd()
            return .notAdmissionReview("the document is not an object")
        }
        // apiVersion and kind are compared in place (views of the body): only an error message
        // decodes them.
        var apiVersion: JSONKey?
        var kind: JSONKey?
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
                if hasRequest { request = .unread }
                try request.readMembers(from: &reader)
                hasRequest = true
            } else {
                try reader.skipValue()
            }
        }
        try reader.expectEnd()
        guard let kind, kind == "AdmissionReview" else {
            return .notAdmissionReview("kind is \(kind.map { "\"\($0.string)\"" } ?? "missing"), not \"AdmissionReview\"")
        }
        if let apiVersion, apiVersion == "admission.k8s.io/v1" {
            request.apiVersion = .v1
        } else if let apiVersion, apiVersion == "admission.k8s.io/v1beta1" {
            request.apiVersion = .v1beta1
        } else {
            return .notAdmissionReview("apiVersion must be admission.k8s.io/v1 or v1beta1")
        }
        guard hasRequest else { return .missingRequest }
        guard !request.uid.isEmpty else { return .missingUID }
        guard request.uid.utf8Count <= maximumUIDBytes else { return .uidTooLong(request.uid.utf8Count) }
        return nil
    }
}

/// Reading the `request` member, before the review's own fields are checked.
extension AdmissionRequest {
    /// A request with nothing read yet; the apiVersion is set once the review's is checked. Made
    /// once: made per request, the value was built twice through the init's defaulted arguments
    /// and copied from one into the other (callgrind, `serve`, bench review: `decode` 46.2k -> 45.8k
    /// instructions per request).
    fileprivate static let unread = AdmissionRequest(apiVersion: .v1, uid: "", attributes: AdmissionAttributes(operation: "", resource: "", namespace: ""))

    fileprivate mutating func readMembers(from reader: inout JSONReader) throws(JSONError) {
        try reader.beginObject()
        // The name first: most members are skipped, and their kind is then never needed.
        while let key = try reader.nextKey() {
            if key == "uid", try reader.peekKind() == .string {
                uid = try AdmissionUID(reading: &reader)
            } else if key == "operation", try reader.peekKind() == .string {
                attributes.operation = Self.operation(try reader.readStringKey())
            } else if key == "subResource", try reader.peekKind() == .string {
                attributes.subResource = try reader.readString()
            } else if key == "namespace", try reader.peekKind() == .string {
                attributes.namespace = try reader.readString()
            } else if key == "dryRun", try reader.peekKind() == .bool {
                dryRun = try reader.readBool()
            } else if key == "resource", try reader.peekKind() == .object {
                try readResource(&reader)
            } else if key == "object", try reader.peekKind() == .object {
                try readPod(&reader)
            } else {
                try reader.skipValue()
            }
        }
    }

    private mutating func readResource(_ reader: inout JSONReader) throws(JSONError) {
        try reader.beginObject()
        while let key = try reader.nextKey() {
            // The core group and pods, as every request the webhook is registered for names them,
            // are literals (see `operation(_:)`).
            if key == "group", try reader.peekKind() == .string {
                let group = try reader.readStringKey()
                attributes.group = group == "" ? "" : group.string
            } else if key == "resource", try reader.peekKind() == .string {
                let resource = try reader.readStringKey()
                attributes.resource = resource == "pods" ? "pods" : resource.string
            } else {
                try reader.skipValue()
            }
        }
    }

    /// The operation, one of Kubernetes's names as a literal: a literal costs nothing to make,
    /// where decoding the bytes into a String cost ~130 instructions (callgrind, `serve`, bench
    /// review: with the group and the resource, `readMembers` less the pod 7.11k -> 6.86k instructions
    /// per request).
    private static func operation(_ name: JSONKey) -> String {
        if name == "CREATE" { return "CREATE" }
        if name == "UPDATE" { return "UPDATE" }
        if name == "DELETE" { return "DELETE" }
        if name == "CONNECT" { return "CONNECT" }
        return name.string
    }

    /// Reads the object as a pod in one pass into `pod` (stored there directly: returned through a
    /// `Result` it was moved once more, callgrind, `serve`, bench review: `decode` 36.05k -> 35.98k
    /// instructions per request); when it is not pod-shaped, skips it from the start instead, so
    /// the rest of the body is still checked.
    private mutating func readPod(_ reader: inout JSONReader) throws(JSONError) {
        var attempt = reader
        do {
            pod = .success(try PodSnapshot(from: &attempt))
            reader = attempt
        } catch let error as PodDecodingError {
            try reader.skipValue()
            pod = .failure(error)
        } catch let error as JSONError {
            throw error
        } catch {
            throw reader.error("\(error)")
        }
    }
}
