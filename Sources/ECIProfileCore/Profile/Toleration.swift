/// A pod toleration (`spec.tolerations[*]`).
public struct Toleration: Sendable, Hashable {
    /// How a toleration compares the taint's value.
    public enum Operator: String, Sendable {
        case exists = "Exists"
        case equal = "Equal"
    }

    public var key: String
    /// The operator; absent means `Equal`.
    public var `operator`: Operator?
    public var value: String
    /// The taint effect; empty means every effect.
    public var effect: String
    public var tolerationSeconds: Int64?

    public init(key: String = "", operator: Operator? = nil, value: String = "", effect: String = "", tolerationSeconds: Int64? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    var effectiveOperator: Operator { `operator` ?? .equal }

    /// Whether this (existing) toleration already tolerates every taint that `wanted` tolerates
    /// (SPEC §2.5): same key or an empty key with `Exists`; same effect or an empty one; and
    /// `Exists`, or `Equal` with the same value where `wanted` is `Equal` too.
    public func covers(_ wanted: Toleration) -> Bool {
        (key.equalsComparingLengthFirst(wanted.key) || (key.isEmpty && effectiveOperator == .exists))
            && (effect.isEmpty || effect == wanted.effect)
            && (effectiveOperator == .exists || (wanted.effectiveOperator == .equal && value == wanted.value))
    }

    /// The toleration as the JSON object Kubernetes expects; empty fields are left out.
    public var jsonValue: JSONValue {
        var members: [JSONMember] = []
        if !key.isEmpty { members.append(JSONMember("key", .string(key))) }
        if let op = `operator` { members.append(JSONMember("operator", .string(op.rawValue))) }
        if !value.isEmpty { members.append(JSONMember("value", .string(value))) }
        if !effect.isEmpty { members.append(JSONMember("effect", .string(effect))) }
        if let seconds = tolerationSeconds { members.append(JSONMember("tolerationSeconds", .number(String(seconds)))) }
        return .object(members)
    }
}
