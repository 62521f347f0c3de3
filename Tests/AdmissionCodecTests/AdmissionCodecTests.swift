import AdmissionCodec
import ECIProfileCore
import Foundation
import Testing

/// Reviews captured from kube-apiserver, shared with the core's fixtures.
private func review(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ECIProfileCoreTests/Fixtures/reviews/\(name).json")
    return Array(try Data(contentsOf: url))
}

@Suite struct AdmissionReviewDecoderTests {
    @Test func decodesAV1CreateReview() throws {
        let request = try AdmissionReviewDecoder.decode(try review("030-CREATE-web-web-frontend-6b7f9c5d8-"))
        #expect(request.apiVersion == .v1)
        #expect(request.uid == "321769c4-21b5-4dcb-951b-2ccfc36aebf9")
        #expect(request.attributes == AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "web"))
        #expect(request.dryRun == false)
        let pod = try #require(try request.pod?.get())
        #expect(pod.name == nil)
        #expect(pod.generateName == "web-frontend-6b7f9c5d8-")
        #expect(pod.labels == ["app": "web-frontend", "pod-template-hash": "6b7f9c5d8"])
        #expect(pod.annotationKeys == nil)
        #expect(pod.nodeSelector == nil)
        #expect(pod.tolerations?.map(\.key) == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
        #expect(pod.affinity == nil)
    }

    @Test func decodesV1beta1DryRunAndUpdate() throws {
        #expect(try AdmissionReviewDecoder.decode(try review("042-CREATE-batch-v1beta1-rs-5c9d7f-")).apiVersion == .v1beta1)
        #expect(try AdmissionReviewDecoder.decode(try review("037-CREATE-web-dryrun-pod")).dryRun)
        #expect(try AdmissionReviewDecoder.decode(try review("038-UPDATE-batch-labels-only")).attributes.operation == "UPDATE")
    }

    /// kind and apiVersion are compared without being decoded, except when they hold escapes.
    @Test func readsEscapedKindAndAPIVersion() throws {
        let body = #"{"kind":"Admission\u0052eview","apiVersion":"admission.k8s.io\/v1beta1","request":{"uid":"1"}}"#
        #expect(try AdmissionReviewDecoder.decode(Array(body.utf8)).apiVersion == .v1beta1)
    }

    /// The operation, group and resource read as literals are the same strings as any other; an
    /// escaped spelling is the name it spells, a near miss is itself.
    @Test(arguments: [
        (#""CREATE","resource":{"group":"","resource":"pods"}"#, AdmissionAttributes(operation: "CREATE", resource: "pods", namespace: "")),
        (#""CONNECT","resource":{"group":"","resource":"pods","version":"v1"}"#, AdmissionAttributes(operation: "CONNECT", resource: "pods", namespace: "")),
        (#""\u0044ELETE","resource":{"group":"apps","resource":"pod\u0073"}"#, AdmissionAttributes(operation: "DELETE", group: "apps", resource: "pods", namespace: "")),
        (#""CREATe","resource":{"group":" ","resource":"podS"}"#, AdmissionAttributes(operation: "CREATe", group: " ", resource: "podS", namespace: "")),
        (#""UPDATES","resource":{"resource":"deployments"}"#, AdmissionAttributes(operation: "UPDATES", resource: "deployments", namespace: "")),
    ])
    func readsWellKnownRequestNamesAsTheirText(operationAndResource: String, expected: AdmissionAttributes) throws {
        let body = #"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"1","operation":"# + operationAndResource + "}}"
        #expect(try AdmissionReviewDecoder.decode(Array(body.utf8)).attributes == expected)
    }

    /// A repeated `request` counts as its last occurrence, read afresh: nothing of the first stays.
    @Test func aRepeatedRequestCountsAsItsLastOccurrence() throws {
        let body = #"""
            {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1",
             "request":{"uid":"1","dryRun":true,"namespace":"a","object":{"metadata":{},"spec":{}}},"request":{"uid":"2"}}
            """#
        let request = try AdmissionReviewDecoder.decode(Array(body.utf8))
        #expect(request.uid == "2")
        #expect(request.dryRun == false)
        #expect(request.attributes == AdmissionAttributes(operation: "", resource: "", namespace: ""))
        #expect(request.pod == nil)
    }

    @Test func readsAffinityAndUnicode() throws {
        let empty = try #require(try AdmissionReviewDecoder.decode(try review("033-CREATE-batch-empty-maps")).pod?.get())
        #expect(empty.affinity == PodSnapshot.Affinity())
        let large = try #require(try AdmissionReviewDecoder.decode(try review("107-CREATE-batch-large-unicode")).pod?.get())
        #expect(large.annotationKeys == ["kubectl.kubernetes.io/last-applied-configuration", "example.com/description", "example.com/blob"])
    }

    @Test(arguments: [
        ("<html>", "body is not valid JSON: unexpected character at byte 0"),
        (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"1"}"#,
         "body is not valid JSON: unterminated object at byte 82"),
        ("[]", "body is not an AdmissionReview: the document is not an object"),
        (#"{"kind":"Pod","apiVersion":"v1"}"#, #"body is not an AdmissionReview: kind is "Pod", not "AdmissionReview""#),
        (#"{"kind":"P\u006fd\n","apiVersion":"v1"}"#, "body is not an AdmissionReview: kind is \"Pod\n\", not \"AdmissionReview\""),
        (#"{"kind":1,"apiVersion":"admission.k8s.io/v1"}"#, #"body is not an AdmissionReview: kind is missing, not "AdmissionReview""#),
        (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1 ","request":{"uid":"1"}}"#,
         "body is not an AdmissionReview: apiVersion must be admission.k8s.io/v1 or v1beta1"),
        (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v2","request":{"uid":"1"}}"#,
         "body is not an AdmissionReview: apiVersion must be admission.k8s.io/v1 or v1beta1"),
        (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}"#, "AdmissionReview has no request"),
        (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":""}}"#, "AdmissionReview request has no uid"),
        (#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":""# + String(repeating: "u", count: 257) + #""}}"#,
         "AdmissionReview request.uid is 257 bytes; at most 256 are accepted"),
    ])
    func rejectsWithAOneLineReason(body: String, reason: String) {
        do {
            _ = try AdmissionReviewDecoder.decode(Array(body.utf8))
            Issue.record("decoded \(body)")
        } catch {
            #expect(error.description == reason)
        }
    }

    @Test func aMisshapenPodIsReadableJSONThatFailsOpen() throws {
        let body = #"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","operation":"CREATE","resource":{"group":"","version":"v1","resource":"pods"},"namespace":"n","object":{"metadata":{"labels":["x"]}}}}"#
        let request = try AdmissionReviewDecoder.decode(Array(body.utf8))
        guard case .failure(let error)? = request.pod else { Issue.record("pod decoded"); return }
        #expect(error.description == "metadata.labels must be an object")
        let planner = MutationPlanner(profile: Profile(selectors: [ProfileSelector(name: "all", objectSelector: LabelSelector())]))
        let outcome = AdmissionReviewer(planner: planner).review(request) { _ in .found([:]) }
        #expect(outcome.result == .failedOpen)
        #expect(outcome.response == AdmissionResponse(uid: "u"))
    }
}

@Suite struct AdmissionResponseTests {
    @Test func encodesPatchAsBase64AndEchoesVersionAndUID() throws {
        let patch: [JSONPatchOperation] = [.add(JSONPointer(["metadata", "labels"]), .object([KeyValue("eci", "true")]))]
        let response = AdmissionResponse(uid: "abc", patch: patch, warnings: ["careful"],
                                         auditAnnotations: [KeyValue("selector", "s"), KeyValue("policy", "fair")])
        let body = try JSONValue(parsing: response.encoded(apiVersion: .v1beta1))
        #expect(body["apiVersion"] == .string("admission.k8s.io/v1beta1"))
        #expect(body["kind"] == .string("AdmissionReview"))
        let inner = try #require(body["response"])
        #expect(inner["uid"] == .string("abc"))
        #expect(inner["allowed"] == .bool(true))
        #expect(inner["patchType"] == .string("JSONPatch"))
        let base64 = try #require(inner["patch"]?.stringValue)
        let decoded = try #require(Data(base64Encoded: base64))
        #expect(String(decoding: decoded, as: UTF8.self) == #"[{"op":"add","path":"/metadata/labels","value":{"eci":"true"}}]"#)
        #expect(inner["warnings"] == .array([.string("careful")]))
        #expect(inner["auditAnnotations"] == (try JSONValue(parsing: #"{"selector":"s","policy":"fair"}"#)))
    }

    @Test func noPatchMeansNoPatchType() {
        let body = String(decoding: AdmissionResponse(uid: "x\"y").encoded(apiVersion: .v1), as: UTF8.self)
        #expect(body == #"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","response":{"uid":"x\"y","allowed":true}}"#)
    }

    /// More escapes than the first buffer's room holds: the body is written again, whole and exact.
    @Test(arguments: [1, 5, 6, 40, 300])
    func stringsFullOfEscapesAreWrittenWhole(escapes: Int) throws {
        let warning = "w" + String(repeating: "\u{1}\"", count: escapes) + "end"
        let uid = String(repeating: "\n", count: escapes)
        let response = AdmissionResponse(uid: AdmissionUID(uid), patch: [.add(JSONPointer(["metadata", "labels"]), .string("x"))],
                                         warnings: [warning, "plain"], auditAnnotations: [KeyValue("selector", "s\\")])
        let encoded = response.encoded(apiVersion: .v1)
        let body = try JSONValue(parsing: encoded)
        let inner = try #require(body["response"])
        #expect(inner["uid"] == .string(uid))
        #expect(inner["warnings"] == .array([.string(warning), .string("plain")]))
        #expect(inner["auditAnnotations"] == .object([KeyValue("selector", "s\\")]))
    }
}

@Suite struct AdmissionReviewerTests {
    let planner = MutationPlanner(profile: Profile(selectors: [ProfileSelector(name: "all", namespaceSelector: LabelSelector())]))

    @Test func unknownNamespaceLabelsFailOpen() throws {
        let request = try AdmissionReviewDecoder.decode(try review("033-CREATE-batch-empty-maps"))
        let outcome = AdmissionReviewer(planner: planner).review(request) { _ in .unavailable(reason: "API down") }
        #expect(outcome.result == .failedOpen)
        #expect(outcome.failureReason == "namespace labels unavailable: API down")
        #expect(outcome.response.patch.isEmpty)
    }

    @Test func skippedRequestsNeverAskForLabels() throws {
        let request = try AdmissionReviewDecoder.decode(try review("038-UPDATE-batch-labels-only"))
        let outcome = AdmissionReviewer(planner: planner).review(request) { _ in
            Issue.record("labels asked for an UPDATE")
            return .found([:])
        }
        #expect(outcome.result == .skipped)
    }

    @Test func matchingPodIsPatched() throws {
        let request = try AdmissionReviewDecoder.decode(try review("033-CREATE-batch-empty-maps"))
        let outcome = AdmissionReviewer(planner: planner).review(request) { _ in .found([:]) }
        #expect(outcome.result == .patched)
        #expect(outcome.response.auditAnnotations == [KeyValue("selector", "all"), KeyValue("policy", "virtualNodeOnly")])
    }
}

@Suite struct PodShapeTests {
    private func review(object: String) -> [UInt8] {
        Array(#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"u","operation":"CREATE","resource":{"group":"","version":"v1","resource":"pods"},"namespace":"n","object":\#(object)}}"#.utf8)
    }

    @Test func aPodWithoutSpecFailsOpen() throws {
        let request = try AdmissionReviewDecoder.decode(review(object: #"{"metadata":{"labels":{"app":"worker"}}}"#))
        guard case .failure(let error)? = request.pod else { Issue.record("decoded a pod without spec"); return }
        #expect(error.description == "a pod needs metadata and spec objects")
    }

    @Test func aRepeatedMemberCountsAsItsLastOccurrence() throws {
        let request = try AdmissionReviewDecoder.decode(review(object: #"{"metadata":{"labels":{"a":"1"},"labels":{"b":"2"}},"spec":{"tolerations":[{"key":"x"}],"nodeName":"n1","hostNetwork":true,"volumes":[{"name":"h","hostPath":{}}]},"spec":{"tolerations":[]}}"#))
        let pod = try #require(try request.pod?.get())
        #expect(pod.labels == ["b": "2"])
        #expect(pod.tolerations == [])
        #expect(pod.nodeName == nil)
        #expect(pod.compatibility == CompatibilityFacts())
        let document = try JSONValue(parsing: #"{"spec":{"a":1},"spec":{"b":2}}"#)
        #expect(document["spec"] == (try JSONValue(parsing: #"{"b":2}"#)))
        let patched = try [JSONPatchOperation.add(JSONPointer(["spec", "c"]), .number("3"))].apply(to: document)
        #expect(patched.jsonString == #"{"spec":{"a":1},"spec":{"b":2,"c":3}}"#)
    }
}
