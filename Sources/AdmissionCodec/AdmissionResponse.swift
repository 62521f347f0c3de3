public import ECIProfileCore

/// The webhook's answer to one review. It always allows: the webhook never denies a pod.
public struct AdmissionResponse: Sendable, Equatable {
    public var uid: String
    public var patch: [JSONPatchOperation]
    public var warnings: [String]
    public var auditAnnotations: [KeyValue]

    public init(uid: String, patch: [JSONPatchOperation] = [], warnings: [String] = [], auditAnnotations: [KeyValue] = []) {
        self.uid = uid
        self.patch = patch
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The answer for `decision` on the request `uid`.
    public init(uid: String, decision: MutationDecision) {
        self.init(uid: uid, patch: decision.patch, warnings: decision.warnings, auditAnnotations: decision.auditAnnotations)
    }

    /// The whole AdmissionReview body in `apiVersion`.
    public func encoded(apiVersion: AdmissionAPIVersion) -> [UInt8] {
        let patchText = patch.isEmpty ? [] : patch.jsonBytes
        var writer = JSONWriter(capacity: 256 + uid.utf8.count + Base64.encodedCount(patchText.count) + warnings.count * 128)
        writer.writeRaw(#"{"kind":"AdmissionReview","apiVersion":"#)
        writer.write(string: apiVersion.rawValue)
        writer.writeRaw(#","response":{"uid":"#)
        writer.write(string: uid)
        writer.writeRaw(#","allowed":true"#)
        if !patch.isEmpty {
            writer.writeRaw(#","patchType":"JSONPatch","patch":""#)
            Base64.encode(patchText, appendingTo: &writer.bytes)
            writer.writeRaw("\"")
        }
        if !auditAnnotations.isEmpty {
            writer.writeRaw(#","auditAnnotations":"#)
            writer.write(.object(auditAnnotations))
        }
        if !warnings.isEmpty {
            writer.writeRaw(#","warnings":"#)
            writer.write(.array(warnings.map(JSONValue.string)))
        }
        writer.writeRaw("}}")
        return writer.bytes
    }
}
