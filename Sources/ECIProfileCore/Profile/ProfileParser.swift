/// Reads and validates the `data` of the eci-profile ConfigMap (SPEC §1). Every problem is
/// collected; any error rejects the whole profile.
public struct ProfileParser {
    /// Keys the webhook reads for matching and mutation.
    static let mutationKeys: Set<String> = ["selectors", "virtualNodeSelector", "virtualNodeTolerations", "compatibilityChecks"]

    private var errors: [ProfileIssue] = []
    private var warnings: [ProfileIssue] = []
    /// Set while validating inside a named selector, so its issues carry the name.
    private var currentSelectorName: String?
    /// The line of the source file where each data value starts, for JSON syntax errors.
    private var valueLines: [String: Int] = [:]

    /// Parses and validates `data`. `valueLines` gives, when the data was read from a file, the
    /// line where each key's value starts there; JSON syntax errors then name that line too.
    public static func parse(_ data: [String: String], valueLines: [String: Int] = [:]) -> ProfileParseResult {
        var parser = ProfileParser()
        parser.valueLines = valueLines
        let profile = parser.parse(data)
        return ProfileParseResult(profile: parser.errors.isEmpty ? profile : nil, errors: parser.errors, warnings: parser.warnings)
    }

    private mutating func parse(_ data: [String: String]) -> Profile {
        var profile = Profile()
        if let text = data["selectors"], !text.isEmpty, let json = parseJSON(text, path: "selectors") {
            profile.selectors = parseSelectors(json)
        }
        if let text = data["virtualNodeSelector"], let json = parseJSON(text, path: "virtualNodeSelector") {
            profile.virtualNodeSelector = parseLabelMap(json, path: "virtualNodeSelector")
        }
        if let text = data["virtualNodeTolerations"], let json = parseJSON(text, path: "virtualNodeTolerations") {
            profile.virtualNodeTolerations = parseTolerations(json, path: "virtualNodeTolerations")
        }
        if let text = data["compatibilityChecks"], !text.isEmpty, let json = parseJSON(text, path: "compatibilityChecks") {
            profile.compatibilityChecks = parseCompatibilityChecks(json)
        }
        profile.clusterSettings = ClusterSettingsValidator.validate(data, report: { self.error($0, $1) })
        if data["selectors"] == nil {
            warnings.append(ProfileIssue(path: "selectors", message: "absent; no pod will be sent to virtual nodes"))
        }
        let knownKeys = Self.mutationKeys.union(ClusterSettingsValidator.keys)
        for key in data.keys.sorted() where !knownKeys.contains(key) {
            let hint = KeySuggestion.closest(to: key, among: knownKeys).map { "; did you mean `\($0)`?" } ?? ""
            warnings.append(ProfileIssue(path: key, message: "unknown key; kept but not used\(hint)"))
        }
        return profile
    }

    // MARK: Reporting

    private mutating func error(_ path: String, _ message: String) {
        errors.append(ProfileIssue(path: path, message: message, selectorName: currentSelectorName))
    }

    private mutating func parseJSON(_ text: String, path: String) -> JSONValue? {
        do {
            return try JSONValue(parsing: text)
        } catch {
            let (line, column) = error.position(in: text)
            let start = valueLines[path].map { " of the value, which starts at line \($0)" } ?? ""
            self.error(path, "not valid JSON: \(error.message) at line \(line), column \(column)\(start)")
            return nil
        }
    }

    private mutating func expectString(_ value: JSONValue, path: String) -> String? {
        if case .string(let s) = value { return s }
        error(path, "must be a string, not \(value.typeName)")
        return nil
    }

    /// The members of an object, reporting members outside `allowed`.
    private mutating func members(_ value: JSONValue, path: String, allowed: Set<String>) -> [JSONMember]? {
        guard case .object(let members) = value else {
            error(path, "must be an object, not \(value.typeName)")
            return nil
        }
        for member in members where !allowed.contains(member.key) {
            error("\(path).\(member.key)", "unknown field")
        }
        return members
    }

    // MARK: Selectors

    private mutating func parseSelectors(_ json: JSONValue) -> [ProfileSelector] {
        guard case .array(let elements) = json else {
            error("selectors", "must be a JSON array, not \(json.typeName)")
            return []
        }
        var selectors: [ProfileSelector] = []
        var seen: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let path = "selectors[\(index)]"
            guard let selector = parseSelector(element, path: path) else { continue }
            if let first = seen[selector.name] {
                errors.append(ProfileIssue(path: "\(path).name", message: "duplicate name; selectors[\(first)] has it too", selectorName: selector.name))
            } else if !selector.name.isEmpty {
                seen[selector.name] = index
            }
            selectors.append(selector)
        }
        return selectors
    }

    private mutating func parseSelector(_ json: JSONValue, path: String) -> ProfileSelector? {
        let allowed: Set<String> = ["name", "namespaceSelector", "objectSelector", "policy", "mode", "effect"]
        let name = json["name"].flatMap { expectString($0, path: "\(path).name") } ?? ""
        currentSelectorName = name.isEmpty ? nil : name
        defer { currentSelectorName = nil }
        guard let members = members(json, path: path, allowed: allowed) else { return nil }
        if name.isEmpty { error("\(path).name", "required and must not be empty") }
        var selector = ProfileSelector(name: name)
        for member in members {
            let memberPath = "\(path).\(member.key)"
            switch member.key {
            case "namespaceSelector": selector.namespaceSelector = parseLabelSelector(member.value, path: memberPath)
            case "objectSelector": selector.objectSelector = parseLabelSelector(member.value, path: memberPath)
            case "policy": selector.policy = parseCase(member.value, path: memberPath) ?? selector.policy
            case "mode": selector.mode = parseCase(member.value, path: memberPath) ?? selector.mode
            case "effect": selector.effect = parseEffect(member.value, path: memberPath)
            default: break
            }
        }
        if selector.mode == .audit, selector.isEffectOnly {
            error("\(path).mode", "an audit selector needs a namespaceSelector or an objectSelector")
        }
        return selector
    }

    /// One of an enum's raw values, reporting anything else with the values allowed.
    private mutating func parseCase<Value: RawRepresentable<String> & CaseIterable>(_ json: JSONValue, path: String) -> Value? {
        guard let text = expectString(json, path: path) else { return nil }
        if let value = Value(rawValue: text) { return value }
        error(path, "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
        return nil
    }

    private mutating func parseLabelSelector(_ json: JSONValue, path: String) -> LabelSelector? {
        if case .null = json { return nil }
        guard let members = members(json, path: path, allowed: ["matchLabels", "matchExpressions"]) else { return nil }
        var selector = LabelSelector()
        for member in members {
            let memberPath = "\(path).\(member.key)"
            if member.key == "matchLabels" {
                selector.matchLabels = parseLabelMap(member.value, path: memberPath)
            } else if member.key == "matchExpressions" {
                guard case .array(let elements) = member.value else {
                    error(memberPath, "must be an array, not \(member.value.typeName)")
                    continue
                }
                selector.matchExpressions = elements.enumerated().compactMap { parseRequirement($1, path: "\(memberPath)[\($0)]") }
            }
        }
        return selector
    }

    private mutating func parseRequirement(_ json: JSONValue, path: String) -> LabelSelector.Requirement? {
        guard members(json, path: path, allowed: ["key", "operator", "values"]) != nil else { return nil }
        let key = json["key"].flatMap { expectString($0, path: "\(path).key") }
        if let key {
            checkLabelKey(key, path: "\(path).key")
        } else if json["key"] == nil {
            error("\(path).key", "required")
        }
        var values: [String] = []
        if let raw = json["values"] {
            if case .array(let elements) = raw {
                for (index, element) in elements.enumerated() {
                    guard let value = expectString(element, path: "\(path).values[\(index)]") else { continue }
                    checkLabelValue(value, path: "\(path).values[\(index)]")
                    values.append(value)
                }
            } else if raw != .null {
                error("\(path).values", "must be an array, not \(raw.typeName)")
            }
        }
        guard let opText = json["operator"].flatMap({ expectString($0, path: "\(path).operator") }) else {
            if json["operator"] == nil { error("\(path).operator", "required") }
            return nil
        }
        guard let op = LabelSelector.Requirement.Operator(rawValue: opText) else {
            error("\(path).operator", "must be one of In, NotIn, Exists, DoesNotExist, not \"\(opText)\"")
            return nil
        }
        let needsValues = op == .in || op == .notIn
        if needsValues, values.isEmpty {
            error("\(path).values", "must be non-empty for \(op.rawValue)")
        } else if !needsValues, !values.isEmpty {
            error("\(path).values", "must be empty for \(op.rawValue)")
        }
        guard let key else { return nil }
        return LabelSelector.Requirement(key: key, operator: op, values: values)
    }

    // MARK: Compatibility checks

    /// The enforced checks, in `CompatibilityCheck`'s order whatever the listed order.
    private mutating func parseCompatibilityChecks(_ json: JSONValue) -> [CompatibilityCheck] {
        guard case .array(let elements) = json else {
            error("compatibilityChecks", "must be a JSON array of check names, not \(json.typeName)")
            return CompatibilityCheck.allCases
        }
        var listed: Set<CompatibilityCheck> = []
        for (index, element) in elements.enumerated() {
            let path = "compatibilityChecks[\(index)]"
            guard let name = expectString(element, path: path) else { continue }
            guard let check = CompatibilityCheck(rawValue: name) else {
                error(path, "unknown check \"\(name)\"; known: \(CompatibilityCheck.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            if !listed.insert(check).inserted { error(path, "\"\(name)\" is listed twice") }
        }
        return CompatibilityCheck.allCases.filter(listed.contains)
    }

    // MARK: Maps and tolerations

    /// An object of label keys to label values.
    private mutating func parseLabelMap(_ json: JSONValue, path: String) -> [KeyValue] {
        stringMap(json, path: path) { parser, key, value, entryPath in
            parser.checkLabelKey(key, path: entryPath)
            parser.checkLabelValue(value, path: entryPath)
        }
    }

    private mutating func stringMap(_ json: JSONValue, path: String,
                                    check: (inout ProfileParser, String, String, String) -> Void) -> [KeyValue] {
        guard case .object(let members) = json else {
            error(path, "must be an object of strings, not \(json.typeName)")
            return []
        }
        var pairs: [KeyValue] = []
        for member in members {
            let entryPath = "\(path)[\"\(member.key)\"]"
            guard let value = expectString(member.value, path: entryPath) else { continue }
            check(&self, member.key, value, entryPath)
            pairs.append(KeyValue(member.key, value))
        }
        return pairs
    }

    private mutating func parseEffect(_ json: JSONValue, path: String) -> SelectorEffect {
        guard let members = members(json, path: path, allowed: ["annotations", "labels"]) else { return SelectorEffect() }
        var effect = SelectorEffect()
        for member in members {
            let memberPath = "\(path).\(member.key)"
            if member.key == "annotations" {
                effect.annotations = stringMap(member.value, path: memberPath) { parser, key, _, entryPath in
                    for problem in KubernetesNames.annotationKeyProblems(key) { parser.error(entryPath, "key \(problem)") }
                }
                let size = effect.annotations.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
                if size > 256 * 1024 { error(memberPath, "total size must be no more than 256 KiB") }
            } else if member.key == "labels" {
                effect.labels = parseLabelMap(member.value, path: memberPath)
            }
        }
        return effect
    }

    private mutating func parseTolerations(_ json: JSONValue, path: String) -> [Toleration] {
        guard case .array(let elements) = json else {
            error(path, "must be a JSON array, not \(json.typeName)")
            return []
        }
        return elements.enumerated().compactMap { parseToleration($1, path: "\(path)[\($0)]") }
    }

    private mutating func parseToleration(_ json: JSONValue, path: String) -> Toleration? {
        let allowed: Set<String> = ["key", "operator", "value", "effect", "tolerationSeconds"]
        guard members(json, path: path, allowed: allowed) != nil else { return nil }
        var toleration = Toleration()
        if let key = json["key"].flatMap({ expectString($0, path: "\(path).key") }), !key.isEmpty {
            checkLabelKey(key, path: "\(path).key")
            toleration.key = key
        }
        if let text = json["operator"].flatMap({ expectString($0, path: "\(path).operator") }) {
            if let op = Toleration.Operator(rawValue: text) {
                toleration.operator = op
            } else {
                error("\(path).operator", "must be Exists or Equal, not \"\(text)\"")
            }
        }
        if let value = json["value"].flatMap({ expectString($0, path: "\(path).value") }) {
            checkLabelValue(value, path: "\(path).value")
            toleration.value = value
        }
        if let effect = json["effect"].flatMap({ expectString($0, path: "\(path).effect") }) {
            if ["", "NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) {
                toleration.effect = effect
            } else {
                error("\(path).effect", "must be NoSchedule, PreferNoSchedule, NoExecute or empty, not \"\(effect)\"")
            }
        }
        if let seconds = json["tolerationSeconds"] {
            if case .number(let literal) = seconds, let value = Int64(literal) {
                toleration.tolerationSeconds = value
                if toleration.effect != "NoExecute" { error("\(path).tolerationSeconds", "only allowed with effect NoExecute") }
            } else {
                error("\(path).tolerationSeconds", "must be an integer")
            }
        }
        if toleration.effectiveOperator == .exists, !toleration.value.isEmpty {
            error("\(path).value", "must be empty when operator is Exists")
        }
        if toleration.key.isEmpty, toleration.effectiveOperator != .exists {
            error("\(path).operator", "must be Exists when key is empty")
        }
        return toleration
    }

    private mutating func checkLabelKey(_ key: String, path: String) {
        for problem in KubernetesNames.qualifiedNameProblems(key) { error(path, "key \(problem)") }
    }

    private mutating func checkLabelValue(_ value: String, path: String) {
        for problem in KubernetesNames.labelValueProblems(value) { error(path, "value \(problem)") }
    }
}
