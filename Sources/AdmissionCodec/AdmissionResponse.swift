public import ECIProfileCore

/// The webhook's answer to one review. It always allows: the webhook never denies a pod.
public struct AdmissionResponse: Sendable, Equatable {
    public var uid: AdmissionUID
    /// The JSON Patch as text; empty when there is none.
    public var patchJSON: [UInt8]
    public var warnings: [String]
    public var auditAnnotations: [KeyValue]

    public init(uid: AdmissionUID, patch: [JSONPatchOperation] = [], warnings: [String] = [], auditAnnotations: [KeyValue] = []) {
        self.uid = uid
        patchJSON = patch.isEmpty ? [] : patch.jsonBytes
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The answer for `decision` on the request `uid`.
    public init(uid: AdmissionUID, decision: MutationDecision) {
        self.uid = uid
        patchJSON = decision.patchJSON
        warnings = decision.warnings
        auditAnnotations = decision.auditAnnotations
    }

    /// The operations of the patch.
    public var patch: [JSONPatchOperation] {
        [JSONPatchOperation](written: patchJSON)
    }

    /// The whole AdmissionReview body in `apiVersion`, written into one buffer reserved for it: the
    /// patch is base64-encoded straight from its text into the answer. The buffer holds the strings
    /// as they are and a little room for escapes; only when they need more is it written again (see
    /// `JSONCursor`).
    public func encoded(apiVersion: AdmissionAPIVersion) -> [UInt8] {
        if let body = encoded(apiVersion: apiVersion, escapeRoom: 32) { return body }
        let strings = auditAnnotations.flatMap { [$0.key, $0.value] } + warnings
        return encoded(apiVersion: apiVersion, escapeRoom: strings.reduce(uid.escapeRoom) { $0 + JSONCursor.escapeRoom(for: $1) })!
    }

    /// The body written with `escapeRoom` bytes for escapes; nil when they need more.
    private func encoded(apiVersion: AdmissionAPIVersion, escapeRoom: Int) -> [UInt8]? {
        let stringBytes = auditAnnotations.reduce(uid.plainCount) {
            $0 + JSONCursor.count(ofPlainString: $1.key) + JSONCursor.count(ofPlainString: $1.value) + 2
        } + warnings.reduce(0) { $0 + JSONCursor.count(ofPlainString: $1) + 1 }
        // 180: the literals' bytes, 174 at most.
        let capacity = 180 + stringBytes + Base64.encodedCount(patchJSON.count) + escapeRoom
        // `Array(unsafeUninitializedCapacity:)` allocated unspecialized: 530 instructions against
        // 190 for this (callgrind, planning-benchmark).
        var body: [UInt8] = []
        var overflowed = false
        body.append(addingCapacity: capacity) { span in
            span.withUnsafeMutableBufferPointer { buffer, count in
                var writer = JSONCursor(buffer.baseAddress!, escapeRoom: escapeRoom)
                write(apiVersion: apiVersion, to: &writer)
                count = writer.position - buffer.baseAddress!
                overflowed = writer.overflowed
            }
        }
        return overflowed ? nil : body
    }

    /// Writes the body in `apiVersion`.
    private func write(apiVersion: AdmissionAPIVersion, to writer: inout JSONCursor) {
        // Strings go between the literals' quotes: fewer writes than whole JSON strings.
        writer.writeRaw(#"{"kind":"AdmissionReview","apiVersion":""#)
        switch apiVersion {
        case .v1: writer.writeRaw("admission.k8s.io/v1")
        case .v1beta1: writer.writeRaw("admission.k8s.io/v1beta1")
        }
        writer.writeRaw(#"","response":{"uid":""#)
        uid.writeUnquoted(to: &writer)
        if patchJSON.isEmpty {
            writer.writeRaw(#"","allowed":true"#)
        } else {
            writer.writeRaw(#"","allowed":true,"patchType":"JSONPatch","patch":""#)
            writer.write(count: Base64.encodedCount(patchJSON.count)) { output in
                patchJSON.withUnsafeBytes { Base64.encode($0, to: output) }
            }
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
    }
}
