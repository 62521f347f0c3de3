public import ECIProfileCore

/// The webhook's answer to one review. It always allows: the webhook never denies a pod.
public struct AdmissionResponse: Sendable, Equatable {
    public var uid: String
    /// The JSON Patch as text; empty when there is none.
    public var patchJSON: [UInt8]
    public var warnings: [String]
    public var auditAnnotations: [KeyValue]

    public init(uid: String, patch: [JSONPatchOperation] = [], warnings: [String] = [], auditAnnotations: [KeyValue] = []) {
        self.uid = uid
        patchJSON = patch.isEmpty ? [] : patch.jsonBytes
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The answer for `decision` on the request `uid`.
    public init(uid: String, decision: MutationDecision) {
        self.uid = uid
        patchJSON = decision.patchJSON
        warnings = decision.warnings
        auditAnnotations = decision.auditAnnotations
    }

    /// The operations of the patch.
    public var patch: [JSONPatchOperation] {
        [JSONPatchOperation](written: patchJSON)
    }

    /// The whole AdmissionReview body in `apiVersion`, written into one buffer sized for it: the
    /// patch is base64-encoded straight from its text into the answer.
    public func encoded(apiVersion: AdmissionAPIVersion) -> [UInt8] {
        let textBytes = auditAnnotations.reduce(uid.utf8.count) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 }
            + warnings.reduce(0) { $0 + $1.utf8.count + 3 }
        var writer = JSONWriter(capacity: 160 + textBytes + Base64.encodedCount(patchJSON.count))
        // Strings go between the literals' quotes: fewer appends than whole JSON strings.
        writer.writeRaw(#"{"kind":"AdmissionReview","apiVersion":""#)
        writer.writeUnquoted(apiVersion.rawValue)
        writer.writeRaw(#"","response":{"uid":""#)
        writer.writeUnquoted(uid)
        if patchJSON.isEmpty {
            writer.writeRaw(#"","allowed":true"#)
        } else {
            writer.writeRaw(#"","allowed":true,"patchType":"JSONPatch","patch":""#)
            Base64.encode(patchJSON, appendingTo: &writer.bytes)
            writer.writeRaw("\"")
        }
        if !auditAnnotations.isEmpty {
            writer.writeRaw(#","auditAnnotations":{"#)
            for (index, annotation) in auditAnnotations.enumerated() {
                if index > 0 { writer.writeRaw(",") }
                writer.write(string: annotation.key)
                writer.writeRaw(":")
                writer.write(string: annotation.value)
            }
            writer.writeRaw("}")
        }
        if !warnings.isEmpty {
            writer.writeRaw(#","warnings":["#)
            for (index, warning) in warnings.enumerated() {
                if index > 0 { writer.writeRaw(",") }
                writer.write(string: warning)
            }
            writer.writeRaw("]")
        }
        writer.writeRaw("}}")
        return writer.bytes
    }
}
