public import ECIProfileCore

/// What `diff` prints: one line per changed object, a summary, or the same as JSON.
public struct ImpactReport: Sendable {
    /// Objects compared.
    public private(set) var objectCount = 0
    /// The objects whose next pod changes, in input order.
    public private(set) var changes: [ImpactChange] = []

    public init() {}

    /// Counts one object and keeps its change, if any.
    public mutating func add(_ change: ImpactChange?) {
        objectCount += 1
        if let change { changes.append(change) }
    }

    /// How many changed objects show each kind of change.
    public var countsByKind: [(kind: ImpactChange.Kind, count: Int)] {
        ImpactChange.Kind.allCases.compactMap { kind in
            let count = changes.count { $0.kinds.contains(kind) }
            return count == 0 ? nil : (kind, count)
        }
    }

    /// `12 object(s) read, 3 changed: 1 newly sent, 2 policy`.
    public var summary: String {
        let head = "\(objectCount) object(s) read, \(changes.count) changed"
        let counts = countsByKind.map { "\($0.count) \($0.kind.summaryName)" }
        return counts.isEmpty ? head : "\(head): \(counts.joined(separator: ", "))"
    }

    /// The whole report as JSON, for CI: counts, and per changed object its identity, the kinds
    /// of change, both outcomes and the line the text output prints. `problems` are inputs that
    /// could not be read.
    public func json(problems: [String] = []) -> JSONValue {
        .object([
            JSONMember("objects", .number(String(objectCount))),
            JSONMember("changed", .number(String(changes.count))),
            JSONMember("byKind", .object(countsByKind.map { JSONMember($0.kind.rawValue, .number(String($0.count))) })),
            JSONMember("changes", .array(changes.map(Self.json))),
            JSONMember("problems", .array(problems.map(JSONValue.string))),
        ])
    }

    private static func json(_ change: ImpactChange) -> JSONValue {
        let subject = change.subject
        return .object([
            JSONMember("kind", .string(subject.kind)),
            JSONMember("namespace", .string(subject.namespace)),
            JSONMember("name", .string(subject.name)),
            JSONMember("source", .string(subject.source)),
            JSONMember("changes", .array(change.kinds.map { .string($0.rawValue) })),
            JSONMember("old", json(change.old)),
            JSONMember("new", json(change.new)),
            JSONMember("line", .string(change.line)),
        ])
    }

    private static func json(_ outcome: ImpactOutcome) -> JSONValue {
        var members = [JSONMember("placement", .string(outcome.placement.name))]
        switch outcome.placement {
        case .notSent: break
        case .sent(let selector, let policy):
            members += [JSONMember("selector", .string(selector)), JSONMember("policy", .string(policy.rawValue))]
        case .keptBack(let selector, let policy, let checks):
            members += [JSONMember("selector", .string(selector)), JSONMember("policy", .string(policy.rawValue)),
                        JSONMember("incompatible", .array(checks.map { .string($0.rawValue) }))]
        }
        members += [
            JSONMember("annotations", .object(outcome.annotations)),
            JSONMember("labels", .object(outcome.labels)),
            JSONMember("auditSelectors", .array(outcome.auditSelectors.map(JSONValue.string))),
        ]
        return .object(members)
    }
}
