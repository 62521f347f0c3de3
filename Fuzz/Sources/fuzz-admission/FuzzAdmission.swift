import AdmissionCodec
import ECIProfileCore
import Foundation

/// The core tests' fixture profile (Tests/ECIProfileCoreTests/Fixtures/profile.json): an audit
/// selector, all three policies, effect-only selectors, escaped and non-ASCII annotation values,
/// every compatibility check enforced. No effect label is read by another selector's object
/// selector, so a second review of a patched pod adds nothing.
private let selectors = #"""
    [{"name": "canary-audit", "mode": "audit",
      "objectSelector": {"matchLabels": {"canary": "true"}},
      "effect": {"labels": {"never": "added"}}},
     {"name": "batch-workers",
      "namespaceSelector": {"matchLabels": {"team": "batch"}},
      "objectSelector": {"matchLabels": {"app": "worker"},
                         "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["critical"]}]},
      "policy": "virtualNodeOnly",
      "effect": {"annotations": {"k8s.aliyun.com/eci-use-specs": "2-4Gi", "k8s.aliyun.com/eci-spot-strategy": "SpotAsPriceGo"},
                 "labels": {"eci": "true"}}},
     {"name": "batch-any",
      "namespaceSelector": {"matchExpressions": [{"key": "eci", "operator": "In", "values": ["true"]}]},
      "policy": "fair",
      "effect": {"annotations": {"k8s.aliyun.com/eci-use-specs": "1-2Gi", "k8s.aliyun.com/eci-image-cache": "true"}}},
     {"name": "web-prefer",
      "namespaceSelector": {"matchLabels": {"team": "web"}},
      "objectSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
      "policy": "normalNodePrefer",
      "effect": {"labels": {"eci-overflow": "allowed"}}},
     {"name": "alibaba",
      "namespaceSelector": {"matchLabels": {"alibabacloud.com/eci": "true"}}},
     {"name": "gpu",
      "objectSelector": {"matchExpressions": [{"key": "accelerator", "operator": "In", "values": ["nvidia-t4", "nvidia-a10"]},
                                              {"key": "legacy", "operator": "DoesNotExist"}]},
      "effect": {"annotations": {"k8s.aliyun.com/eci-gpu-type": "T4"}}},
     {"name": "ntp",
      "effect": {"annotations": {"k8s.aliyun.com/eci-ntp-server": "100.100.3.1", "example.com/note": "virtual 节点 ✓ <ok> & \"quoted\""}}}]
    """#

private func makeReviewer(_ edit: (inout Profile) -> Void = { _ in }) -> AdmissionReviewer {
    guard var profile = ProfileParser.parse(["selectors": selectors]).profile else { fatalError("the fixed profile is invalid") }
    edit(&profile)
    return AdmissionReviewer(planner: MutationPlanner(profile: profile, excludedNamespaces: ["kube-system", "eci-profile-system"]))
}

private let reviewer = makeReviewer()
/// The same profile without its audit selector: audit selectors must never change an answer.
private let reviewerWithoutAudit = makeReviewer { $0.selectors.removeAll { $0.mode == .audit } }
/// The same profile with the compatibility guard off: what an incompatible pod would have got.
private let reviewerWithoutGuard = makeReviewer { $0.compatibilityChecks = [] }

/// The fixtures' namespaces (Tests/ECIProfileCoreTests/Fixtures/namespaces.json); "offline" has unknown labels.
private func namespaceLabels(_ namespace: String) -> NamespaceLabels {
    switch namespace {
    case "batch": .found(["team": "batch", "eci": "true"])
    case "web": .found(["team": "web"])
    case "alibabacloud": .found(["alibabacloud.com/eci": "true"])
    case "offline": .unavailable(reason: "not synced")
    default: .found([:])
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    guard let request = try? AdmissionReviewDecoder.decode(body) else { return 0 }
    let outcome = reviewer.review(request, namespaceLabels: namespaceLabels)
    let response = outcome.response
    checkAuditAndGuard(request, outcome)

    // The encoded review is JSON whose base64 patch is the planned patch.
    let encoded: JSONValue
    do {
        encoded = try JSONValue(parsing: response.encoded(apiVersion: request.apiVersion))
    } catch {
        fatalError("encoded response is not JSON: \(error)")
    }
    guard encoded["response"]?["uid"]?.stringValue == request.uid.description else { fatalError("response uid differs") }
    guard !response.patch.isEmpty else {
        guard encoded["response"]?["patch"] == nil else { fatalError("empty patch encoded") }
        return 0
    }
    guard let base64 = encoded["response"]?["patch"]?.stringValue, let patchBytes = Data(base64Encoded: base64) else {
        fatalError("patch is not base64")
    }
    let patchJSON: JSONValue
    do {
        patchJSON = try JSONValue(parsing: patchBytes)
    } catch {
        fatalError("patch is not JSON: \(error)")
    }
    guard patchJSON == .array(response.patch.map(\.jsonValue)) else { fatalError("encoded patch differs from the planned one") }

    // The patch applies to the request's object, and a second review of the patched pod adds nothing.
    // (A pod without `metadata` and `spec` objects is allowed unchanged; a repeated key counts as
    // its last occurrence in the decoder, in JSONValue and in the patch applier alike.)
    guard let object = (try? JSONValue(parsing: body))?["request"]?["object"] else { fatalError("decoded review lost its object") }
    let patched: JSONValue
    do {
        patched = try response.patch.apply(to: object)
    } catch {
        fatalError("patch does not apply: \(error)")
    }
    var again = request
    do {
        again.pod = .success(try PodSnapshot(json: patched.jsonBytes))
    } catch {
        fatalError("patched pod is not readable: \(error)")
    }
    let second = reviewer.review(again, namespaceLabels: namespaceLabels).response.patch
    guard second.isEmpty else { fatalError("second review patches again: \(JSONValue.array(second.map(\.jsonValue)).jsonString)") }
    return 0
}

/// Audit selectors change nothing; an incompatible pod gets nothing but one warning per failed
/// check, and is one the profile would otherwise send.
private func checkAuditAndGuard(_ request: AdmissionRequest, _ outcome: AdmissionOutcome) {
    let withoutAudit = reviewerWithoutAudit.review(request, namespaceLabels: namespaceLabels)
    guard withoutAudit.response.patch == outcome.response.patch, withoutAudit.response.warnings == outcome.response.warnings else {
        fatalError("an audit selector changed the answer")
    }
    guard let decision = outcome.decision, decision.outcome == .incompatible else { return }
    guard case .success(let pod) = request.pod else { fatalError("incompatible without a pod") }
    guard outcome.result == .incompatible, decision.patch.isEmpty, !decision.incompatibilities.isEmpty,
          decision.warnings == decision.incompatibilities.map(\.warning),
          decision.incompatibilities.allSatisfy({ $0.check.failure(of: pod) == $0 }) else {
        fatalError("incompatible decision is inconsistent")
    }
    let unguarded = reviewerWithoutGuard.review(request, namespaceLabels: namespaceLabels).decision
    guard unguarded?.outcome == .matched, unguarded?.decidingSelector == decision.decidingSelector else {
        fatalError("an incompatible pod that the profile would not send")
    }
}
