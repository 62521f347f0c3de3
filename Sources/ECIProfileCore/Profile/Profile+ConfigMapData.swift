extension Profile {
    /// The profile written back as ConfigMap data: the inverse of `ProfileParser.parse` for a
    /// valid profile (defaults are written out explicitly).
    public var configMapData: [String: String] {
        var data: [String: String] = [:]
        for setting in clusterSettings { data[setting.key] = setting.value }
        data["selectors"] = JSONValue.array(selectors.map(\.jsonValue)).jsonString
        data["virtualNodeSelector"] = JSONValue.object(virtualNodeSelector).jsonString
        data["virtualNodeTolerations"] = JSONValue.array(virtualNodeTolerations.map(\.jsonValue)).jsonString
        data["compatibilityChecks"] = JSONValue.array(compatibilityChecks.map { .string($0.rawValue) }).jsonString
        return data
    }
}

extension ProfileSelector {
    /// The selector as it is written in the profile's `selectors` array.
    public var jsonValue: JSONValue {
        var members = [JSONMember("name", .string(name))]
        if let namespaceSelector { members.append(JSONMember("namespaceSelector", namespaceSelector.jsonValue)) }
        if let objectSelector { members.append(JSONMember("objectSelector", objectSelector.jsonValue)) }
        members.append(JSONMember("policy", .string(policy.rawValue)))
        members.append(JSONMember("mode", .string(mode.rawValue)))
        members.append(JSONMember("effect", .object([JSONMember("annotations", .object(effect.annotations)),
                                                     JSONMember("labels", .object(effect.labels))])))
        return .object(members)
    }
}

extension LabelSelector {
    /// The selector as a Kubernetes LabelSelector object.
    public var jsonValue: JSONValue {
        let expressions = matchExpressions.map { requirement -> JSONValue in
            var members = [JSONMember("key", .string(requirement.key)), JSONMember("operator", .string(requirement.operator.rawValue))]
            if !requirement.values.isEmpty { members.append(JSONMember("values", .array(requirement.values.map(JSONValue.string)))) }
            return .object(members)
        }
        return .object([JSONMember("matchLabels", .object(matchLabels)), JSONMember("matchExpressions", .array(expressions))])
    }
}
