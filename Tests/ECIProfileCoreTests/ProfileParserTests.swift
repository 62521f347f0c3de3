import ECIProfileCore
import Testing

@Suite struct ProfileParserTests {
    /// The errors of a profile whose only key is `selectors`.
    private func errors(selectors: String) -> [String] {
        ProfileParser.parse(["selectors": selectors]).errors.map(\.description)
    }

    @Test func validProfileWithDefaults() throws {
        let result = ProfileParser.parse(["selectors": #"[{"name":"a","namespaceSelector":{"matchLabels":{"team":"batch"}}}]"#])
        let profile = try #require(result.profile)
        #expect(result.errors.isEmpty)
        #expect(profile.selectors.map(\.policy) == [.virtualNodeOnly])
        #expect(profile.virtualNodeSelector == [KeyValue("type", "virtual-kubelet")])
        #expect(profile.virtualNodeTolerations == Profile.defaultVirtualNodeTolerations)
    }

    @Test func emptyOrAbsentSelectorsMeanNone() throws {
        #expect(try #require(ProfileParser.parse([:]).profile).selectors.isEmpty)
        #expect(try #require(ProfileParser.parse(["selectors": ""]).profile).selectors.isEmpty)
    }

    @Test func valuesMustBeEmptyForExists() {
        let selectors = #"[{"name":"a"},{"name":"b"},{"name":"batch-spot","objectSelector":{"matchExpressions":[{"key":"tier","operator":"Exists","values":["x"]}]}}]"#
        #expect(errors(selectors: selectors) == [#"selectors[2].objectSelector.matchExpressions[0].values: must be empty for Exists (selector "batch-spot")"#])
    }

    @Test func valuesRequiredForIn() {
        #expect(errors(selectors: #"[{"name":"s","namespaceSelector":{"matchExpressions":[{"key":"tier","operator":"NotIn"}]}}]"#)
            == [#"selectors[0].namespaceSelector.matchExpressions[0].values: must be non-empty for NotIn (selector "s")"#])
    }

    @Test func unknownOperator() {
        #expect(errors(selectors: #"[{"name":"s","objectSelector":{"matchExpressions":[{"key":"tier","operator":"Gt","values":["1"]}]}}]"#)
            == [#"selectors[0].objectSelector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist, not "Gt" (selector "s")"#])
    }

    @Test func missingAndDuplicateNames() {
        #expect(errors(selectors: #"[{"policy":"fair"},{"name":"x"},{"name":"x"}]"#) == [
            "selectors[0].name: required and must not be empty",
            #"selectors[2].name: duplicate name; selectors[1] has it too (selector "x")"#,
        ])
    }

    @Test func badPolicy() {
        #expect(errors(selectors: #"[{"name":"s","policy":"virtualNodeonly"}]"#)
            == [#"selectors[0].policy: must be one of virtualNodeOnly, normalNodePrefer, fair, not "virtualNodeonly" (selector "s")"#])
    }

    @Test func unknownSelectorFieldIsAnError() {
        #expect(errors(selectors: #"[{"name":"s","objectSelecter":{}}]"#) == [#"selectors[0].objectSelecter: unknown field (selector "s")"#])
    }

    @Test func labelKeyAndValueRules() {
        let long = String(repeating: "a", count: 64)
        let selectors = #"[{"name":"s","objectSelector":{"matchLabels":{"-bad":"ok","Example.com/x":"ok","y":"\#(long)","z":"bad value"}}}]"#
        #expect(errors(selectors: selectors) == [
            #"selectors[0].objectSelector.matchLabels["-bad"]: key name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "s")"#,
            #"selectors[0].objectSelector.matchLabels["Example.com/x"]: key prefix part must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (selector "s")"#,
            #"selectors[0].objectSelector.matchLabels["y"]: value must be no more than 63 characters (selector "s")"#,
            #"selectors[0].objectSelector.matchLabels["z"]: value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "s")"#,
        ])
    }

    @Test func annotationKeysAreQualifiedNames() {
        let selectors = #"[{"name":"s","effect":{"annotations":{"k8s.aliyun.com/eci-use-specs":"2-4Gi","a/b/c":"x"},"labels":{"eci":"not ok!"}}}]"#
        #expect(errors(selectors: selectors) == [
            #"selectors[0].effect.annotations["a/b/c"]: key must be a name with at most one '/', as in 'example.com/name' (selector "s")"#,
            #"selectors[0].effect.labels["eci"]: value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "s")"#,
        ])
    }

    @Test func notJSON() {
        #expect(errors(selectors: "[{") == ["selectors: not valid JSON: unterminated object at line 1, column 3"])
        #expect(errors(selectors: #"{"name":"s"}"#) == ["selectors: must be a JSON array, not object"])
    }

    @Test func wrongTypes() {
        #expect(errors(selectors: #"[{"name":"s","objectSelector":{"matchLabels":{"a":1}},"effect":[]}]"#) == [
            #"selectors[0].objectSelector.matchLabels["a"]: must be a string, not number (selector "s")"#,
            #"selectors[0].effect: must be an object, not array (selector "s")"#,
        ])
    }

    @Test func tolerationRules() {
        let data = ["virtualNodeTolerations": #"[{"key":"k","operator":"Exists","value":"v"},{"operator":"Equal"},{"key":"k","effect":"Sometimes"},{"key":"k","tolerationSeconds":5}]"#]
        #expect(ProfileParser.parse(data).errors.map(\.description) == [
            "virtualNodeTolerations[0].value: must be empty when operator is Exists",
            "virtualNodeTolerations[1].operator: must be Exists when key is empty",
            #"virtualNodeTolerations[2].effect: must be NoSchedule, PreferNoSchedule, NoExecute or empty, not "Sometimes""#,
            "virtualNodeTolerations[3].tolerationSeconds: only allowed with effect NoExecute",
        ])
    }

    @Test func virtualNodeSelectorMustBeALabelMap() {
        #expect(ProfileParser.parse(["virtualNodeSelector": #"{"type":"virtual kubelet"}"#]).errors.map(\.description)
            == [#"virtualNodeSelector["type"]: value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"#])
    }

    @Test func clusterSettings() {
        let data = ["enableClusterIp": "yes", "enableLogController": "true", "featureGates": "A=true,B,C=maybe",
                    "vSwitchIds": "vsw-1,,vsw-3", "vpcId": "vpc 1"]
        #expect(ProfileParser.parse(data).errors.map(\.description) == [
            #"enableClusterIp: must be "true" or "false", not "yes""#,
            "vpcId: must be a non-empty identifier without spaces",
            "vSwitchIds[1]: must be a non-empty identifier without spaces",
            #"slsMachineGroup: required when enableLogController is "true""#,
            #"featureGates[1]: must be Name=true or Name=false, not "B""#,
            #"featureGates[2]: must be Name=true or Name=false, not "C=maybe""#,
        ])
    }

    @Test func unknownKeysAreWarningsOnly() throws {
        let result = ProfileParser.parse(["selectors": "[]", "vpcId": "vpc-123", "colour": "blue"])
        #expect(result.profile?.clusterSettings == [KeyValue("vpcId", "vpc-123")])
        #expect(result.warnings.map(\.description) == ["colour: unknown key; kept but not used"])
    }

    @Test func jsonSyntaxErrorsGiveLineAndColumnInTheValueAndWhereTheValueStarts() {
        let selectors = "[\n  {\"name\": \"é\",\n   \"policy\" \"fair\"}\n]"
        #expect(ProfileParser.parse(["selectors": selectors], valueLines: ["selectors": 30]).errors.map(\.description)
            == ["selectors: not valid JSON: expected ':' at line 3, column 13 of the value, which starts at line 30"])
    }

    @Test func aTypoInATopLevelKeyNamesTheClosestKnownKey() {
        let result = ProfileParser.parse(["selector": "[]", "enableClusterIP": "true", "colour": "blue"])
        #expect(result.errors.isEmpty)
        #expect(result.warnings.map(\.description) == [
            "selectors: absent; no pod will be sent to virtual nodes",
            "colour: unknown key; kept but not used",
            "enableClusterIP: unknown key; kept but not used; did you mean `enableClusterIp`?",
            "selector: unknown key; kept but not used; did you mean `selectors`?",
        ])
    }

    @Test func everyErrorIsReportedAndTheProfileRejectedWhole() {
        let result = ProfileParser.parse(["selectors": #"[{"name":"ok"},{"name":""},{"name":"p","policy":"x"}]"#, "enablePrivateZone": "1"])
        #expect(result.profile == nil)
        #expect(result.errors.count == 3)
    }
}
