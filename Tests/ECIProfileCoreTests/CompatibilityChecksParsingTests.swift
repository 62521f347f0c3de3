import ECIProfileCore
import Testing

/// `compatibilityChecks` and the selector `mode` in the profile (SPEC §1, §2.10).
@Suite struct CompatibilityChecksParsingTests {
    private func parse(_ checks: String) -> ProfileParseResult {
        ProfileParser.parse(["compatibilityChecks": checks])
    }

    @Test func absentOrEmptyEnforcesAllSix() throws {
        #expect(try #require(ProfileParser.parse([:]).profile).compatibilityChecks == CompatibilityCheck.allCases)
        #expect(try #require(parse("").profile).compatibilityChecks == CompatibilityCheck.allCases)
        #expect(CompatibilityCheck.allCases.map(\.rawValue) == ["daemonSet", "nodePinned", "hostNetwork", "hostPath", "hostPort", "privileged"])
    }

    @Test func anEmptyArrayTurnsTheGuardOff() throws {
        #expect(try #require(parse("[]").profile).compatibilityChecks == [])
    }

    @Test func aSubsetKeepsTheSpecOrderWhateverTheListedOrder() throws {
        #expect(try #require(parse(#"["privileged", "daemonSet", "hostPath"]"#).profile).compatibilityChecks
            == [.daemonSet, .hostPath, .privileged])
    }

    @Test func unknownNamesRepeatedNamesAndWrongTypesAreErrorsWithPaths() {
        let result = parse(#"["hostPath", "hostpath", 3, "hostPath"]"#)
        #expect(result.profile == nil)
        #expect(result.errors.map(\.description) == [
            #"compatibilityChecks[1]: unknown check "hostpath"; known: daemonSet, nodePinned, hostNetwork, hostPath, hostPort, privileged"#,
            "compatibilityChecks[2]: must be a string, not number",
            #"compatibilityChecks[3]: "hostPath" is listed twice"#,
        ])
        #expect(parse(#"{"hostPath": true}"#).errors.map(\.description)
            == ["compatibilityChecks: must be a JSON array of check names, not object"])
        #expect(parse("[hostPath]").errors.map(\.path) == ["compatibilityChecks"])
    }

    @Test func theKeyIsKnownSoNoWarning() {
        // (With a selectors key: its absence is a warning of its own.)
        #expect(ProfileParser.parse(["selectors": "", "compatibilityChecks": "[]"]).warnings.isEmpty)
    }

    @Test func auditSelectorsParseAndNeedALabelSelector() throws {
        let valid = ProfileParser.parse(["selectors": #"[{"name":"watch","mode":"audit","objectSelector":{"matchLabels":{"a":"b"}}},{"name":"on"}]"#])
        #expect(try #require(valid.profile).selectors.map(\.mode) == [.audit, .enforce])
        let invalid = ProfileParser.parse(["selectors": #"[{"name":"watch","mode":"audit"},{"name":"x","namespaceSelector":{},"mode":"dryRun"}]"#])
        #expect(invalid.errors.map(\.description) == [
            #"selectors[0].mode: an audit selector needs a namespaceSelector or an objectSelector (selector "watch")"#,
            #"selectors[1].mode: must be one of enforce, audit, not "dryRun" (selector "x")"#,
        ])
    }

    @Test func theProfileRoundTripsThroughConfigMapData() throws {
        let profile = try #require(ProfileParser.parse([
            "compatibilityChecks": #"["hostNetwork"]"#,
            "selectors": #"[{"name":"watch","mode":"audit","objectSelector":{"matchLabels":{"a":"b"}}}]"#,
        ]).profile)
        #expect(ProfileParser.parse(profile.configMapData).profile == profile)
    }
}
