import ECIProfileCore
import Testing

/// What `PodSnapshot` reads for the compatibility checks, on pod shapes the fixtures do not cover.
@Suite struct CompatibilityFactsDecodingTests {
    private func facts(_ spec: String, metadata: String = "{}") throws -> CompatibilityFacts {
        try PodSnapshot(json: Array(#"{"metadata":\#(metadata),"spec":\#(spec)}"#.utf8)).compatibility
    }

    @Test func anOrdinaryPodHasNoFacts() throws {
        #expect(try facts(#"{"containers":[{"name":"app","ports":[{"containerPort":80}],"securityContext":{}}],"volumes":[{"name":"data","emptyDir":{}}]}"#)
            == CompatibilityFacts())
    }

    @Test func containersAreListedBeforeInitContainersWhateverTheMemberOrder() throws {
        let read = try facts(#"""
            {"initContainers":[{"securityContext":{"privileged":true},"name":"setup","ports":[{"hostPort":53,"containerPort":53}]}],
             "containers":[{"name":"app","securityContext":{"privileged":true}}]}
            """#)
        #expect(read.privilegedContainers == [.init(name: "app"), .init(name: "setup", isInit: true)])
        #expect(read.hostPorts == [.init(container: .init(name: "setup", isInit: true), hostPort: "53")])
    }

    @Test func containersWithoutInitContainersAreListed() throws {
        let read = try facts(#"{"containers":[{"name":"app","securityContext":{"privileged":true},"ports":[{"hostPort":8080}]},{"name":"b"}]}"#)
        #expect(read.privilegedContainers == [.init(name: "app")])
        #expect(read.hostPorts == [.init(container: .init(name: "app"), hostPort: "8080")])
    }

    @Test func nullsMeanAbsent() throws {
        let read = try facts(#"{"hostNetwork":null,"volumes":[{"name":"v","hostPath":null}],"containers":[{"name":"c","ports":null,"securityContext":{"privileged":null}}],"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":null}}}"#,
                             metadata: #"{"ownerReferences":null}"#)
        #expect(read == CompatibilityFacts())
    }

    @Test func aRepeatedMemberCountsAsItsLastOccurrence() throws {
        #expect(try facts(#"{"hostNetwork":true,"hostNetwork":false}"#).hostNetwork == false)
        #expect(try facts(#"{"volumes":[{"name":"a","hostPath":{"path":"/"}}],"volumes":[]}"#).hostPathVolumes == [])
        #expect(try facts(#"{"containers":[{"name":"a","securityContext":{"privileged":true}}],"containers":[{"name":"b"}]}"#)
            .privilegedContainers == [])
    }

    @Test func pinnedOnlyWhenEveryRequiredTermSelectsByName() throws {
        func pinned(_ terms: String) throws -> [String]? {
            try facts(#"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":\#(terms)}}}}"#).pinnedNodeNames
        }
        #expect(try pinned(#"[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1","n2"]}]}]"#) == ["n1", "n2"])
        #expect(try pinned(#"[{"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n1"]}]}]"#) == [])
        #expect(try pinned(#"[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]},{"matchExpressions":[]}]"#) == nil)
        #expect(try pinned(#"[{"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]"#) == nil)
        #expect(try pinned("[]") == nil)
    }

    @Test func theFirstDaemonSetOwnerIsNamed() throws {
        let owners = #"{"ownerReferences":[{"kind":"ReplicaSet","name":"rs"},{"name":"agent","kind":"DaemonSet"},{"kind":"DaemonSet","name":"other"}]}"#
        #expect(try facts("{}", metadata: owners).daemonSetOwner == "agent")
    }

    /// A value of the wrong type is a pod the webhook cannot read (it fails open), not a bad request.
    @Test(arguments: [
        #"{"hostNetwork":"yes"}"#, #"{"volumes":{}}"#, #"{"volumes":[1]}"#, #"{"containers":[{"name":3}]}"#,
        #"{"containers":[{"ports":[{"hostPort":"80"}]}]}"#, #"{"containers":[{"securityContext":{"privileged":1}}]}"#,
        #"{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":{}}}}}"#,
    ])
    func wrongTypesAreUnreadablePods(spec: String) {
        #expect(throws: PodDecodingError.self) { try facts(spec) }
    }

    @Test func failuresNameWhatFailed() throws {
        let pod = try PodSnapshot(json: Array(#"""
            {"metadata":{},"spec":{"containers":[{"name":"a","ports":[{"hostPort":80},{"hostPort":443}]},{"name":"b","ports":[{"hostPort":8080}]}],
             "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1","n2","n3","n4","n5","n6","n7"]}]}]}}}}}
            """#.utf8))
        #expect(CompatibilityCheck.hostPort.failure(of: pod)?.reason
            == #"container "a" (hostPort 80), container "a" (hostPort 443) and container "b" (hostPort 8080) map host ports"#)
        #expect(CompatibilityCheck.nodePinned.failure(of: pod)?.reason
            == #"required node affinity pins it to nodes "n1", "n2", "n3", "n4", "n5" and 2 more by metadata.name"#)
        #expect(CompatibilityCheck.privileged.failure(of: pod) == nil)
    }
}
