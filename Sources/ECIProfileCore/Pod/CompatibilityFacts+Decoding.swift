/// Readers for the parts of a pod the compatibility checks need. Each reads one member's value
/// at the reader's position, keeps only what fails a check and skips (but checks) the rest.
/// A value of the wrong type is a `PodDecodingError` (the webhook fails open), not a JSON error.
///
/// Names and kinds are kept as `JSONKey`s (views of the request bytes) and decoded only for what
/// fails a check: every pod has containers, volumes and owners, and decoding their names cost
/// about 2 % of a typical review's planning (measured with callgrind). Likewise the field paths
/// for error messages are autoclosures, built only when a value is refused: interpolating them for
/// every container cost ~900 instructions each (measured).
extension CompatibilityFacts {
    /// `metadata.ownerReferences`: the name of the first owner of kind `DaemonSet`.
    static func readDaemonSetOwner(_ reader: inout JSONReader) throws -> String? {
        var owner: String?
        try forEachObject(in: &reader, field: "metadata.ownerReferences") { reader in
            var isDaemonSet = false
            var name: JSONKey?
            while let key = try reader.nextKey() {
                if key == "kind" {
                    isDaemonSet = try readStringKey(&reader, field: "metadata.ownerReferences[].kind").map { $0 == "DaemonSet" } ?? false
                } else if key == "name" {
                    name = try readStringKey(&reader, field: "metadata.ownerReferences[].name")
                } else {
                    try reader.skipValue()
                }
            }
            if owner == nil, isDaemonSet { owner = name?.string ?? "" }
        }
        return owner
    }

    /// `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`: the node
    /// names when every term selects nodes by `metadata.name`, else nil.
    static func readPinnedNodeNames(_ reader: inout JSONReader) throws -> [String]? {
        let field = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
        var termCount = 0
        var everyTermPinned = true
        var names: [String] = []
        try forEachMember(of: &reader, field: field) { reader, key in
            guard key == "nodeSelectorTerms" else { return try reader.skipValue() }
            (termCount, everyTermPinned, names) = (0, true, [])
            try forEachObject(in: &reader, field: "\(field).nodeSelectorTerms") { reader in
                termCount += 1
                var termPinned = false
                while let key = try reader.nextKey() {
                    guard key == "matchFields" else {
                        try reader.skipValue()
                        continue
                    }
                    termPinned = false
                    try forEachObject(in: &reader, field: "\(field).nodeSelectorTerms[].matchFields") { reader in
                        let requirement = try readFieldRequirement(&reader)
                        guard requirement.key == "metadata.name" else { return }
                        termPinned = true
                        if requirement.operator == "In" { names += requirement.values }
                    }
                }
                everyTermPinned = everyTermPinned && termPinned
            }
        }
        return termCount > 0 && everyTermPinned ? names : nil
    }

    /// `spec.volumes`: the names of the volumes with a `hostPath` source.
    static func readHostPathVolumes(_ reader: inout JSONReader) throws -> [String] {
        var names: [String] = []
        try forEachObject(in: &reader, field: "spec.volumes") { reader in
            var name: JSONKey?
            var usesHostPath = false
            while let key = try reader.nextKey() {
                if key == "name" {
                    name = try readStringKey(&reader, field: "spec.volumes[].name")
                } else if key == "hostPath" {
                    usesHostPath = try reader.peekKind() != .null
                    try reader.skipValue()
                } else {
                    try reader.skipValue()
                }
            }
            if usesHostPath { names.append(name?.string ?? "") }
        }
        return names
    }

    /// `spec.containers` or `spec.initContainers`: the ports mapping a host port and the
    /// privileged containers.
    static func readContainers(_ reader: inout JSONReader, isInit: Bool) throws -> (hostPorts: [HostPort], privileged: [Container]) {
        let field = isInit ? "spec.initContainers" : "spec.containers"
        var hostPorts: [HostPort] = []
        var privileged: [Container] = []
        try forEachObject(in: &reader, field: field) { reader in
            var name: JSONKey?
            var ports: [String] = []
            var isPrivileged = false
            while let key = try reader.nextKey() {
                if key == "name" {
                    name = try readStringKey(&reader, field: "\(field)[].name")
                } else if key == "ports" {
                    ports = try readHostPorts(&reader, field: "\(field)[].ports")
                } else if key == "securityContext" {
                    isPrivileged = try readPrivileged(&reader, field: "\(field)[].securityContext")
                } else {
                    try reader.skipValue()
                }
            }
            guard !ports.isEmpty || isPrivileged else { return }
            let container = Container(name: name?.string ?? "", isInit: isInit)
            hostPorts += ports.map { HostPort(container: container, hostPort: $0) }
            if isPrivileged { privileged.append(container) }
        }
        return (hostPorts, privileged)
    }

    // MARK: Pieces

    private static func readHostPorts(_ reader: inout JSONReader, field: @autoclosure () -> String) throws -> [String] {
        var ports: [String] = []
        try forEachObject(in: &reader, field: field()) { reader in
            var hostPort: String?
            while let key = try reader.nextKey() {
                guard key == "hostPort" else {
                    try reader.skipValue()
                    continue
                }
                switch try reader.peekKind() {
                case .null: hostPort = nil; try reader.skipValue()
                case .number: hostPort = try reader.readNumberLiteral()
                default: throw PodDecodingError(description: "\(field())[].hostPort must be a number")
                }
            }
            // 0 (or absent) means no host port; the apiserver writes whole numbers.
            if let hostPort, hostPort != "0" { ports.append(hostPort) }
        }
        return ports
    }

    private static func readPrivileged(_ reader: inout JSONReader, field: @autoclosure () -> String) throws -> Bool {
        var privileged = false
        try forEachMember(of: &reader, field: field()) { reader, key in
            guard key == "privileged" else { return try reader.skipValue() }
            privileged = try readFlag(&reader, field: "\(field()).privileged")
        }
        return privileged
    }

    /// One `matchFields` entry: its key, operator and values.
    private static func readFieldRequirement(_ reader: inout JSONReader) throws -> (key: String?, operator: String?, values: [String]) {
        let field = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchFields[]"
        var requirement: (key: String?, operator: String?, values: [String]) = (nil, nil, [])
        while let key = try reader.nextKey() {
            if key == "key" {
                requirement.key = try readStringKey(&reader, field: "\(field).key")?.string
            } else if key == "operator" {
                requirement.operator = try readStringKey(&reader, field: "\(field).operator")?.string
            } else if key == "values" {
                requirement.values = []
                try forEachElement(in: &reader, field: "\(field).values") { reader in
                    if let value = try readStringKey(&reader, field: "\(field).values[]") { requirement.values.append(value.string) }
                }
            } else {
                try reader.skipValue()
            }
        }
        return requirement
    }

    /// A boolean; false for `null`.
    static func readFlag(_ reader: inout JSONReader, field: @autoclosure () -> String) throws -> Bool {
        switch try reader.peekKind() {
        case .bool: return try reader.readBool()
        case .null: try reader.skipValue(); return false
        default: throw PodDecodingError(description: "\(field()) must be a boolean")
        }
    }

    /// A string, not yet decoded; nil for `null`.
    private static func readStringKey(_ reader: inout JSONReader, field: @autoclosure () -> String) throws -> JSONKey? {
        switch try reader.peekKind() {
        case .string: return try reader.readStringKey()
        case .null: try reader.skipValue(); return nil
        default: throw PodDecodingError(description: "\(field()) must be a string")
        }
    }

    /// Calls `body` with the reader at each element of an array (`null` is an empty array).
    private static func forEachElement(in reader: inout JSONReader, field: @autoclosure () -> String,
                                       _ body: (inout JSONReader) throws -> Void) throws {
        switch try reader.peekKind() {
        case .null: try reader.skipValue()
        case .array:
            try reader.beginArray()
            while try reader.nextElement() { try body(&reader) }
        default: throw PodDecodingError(description: "\(field()) must be an array")
        }
    }

    /// Calls `body` with the reader inside each object of an array, after its `{`; `body` reads
    /// the members to the end.
    private static func forEachObject(in reader: inout JSONReader, field: @autoclosure () -> String,
                                      _ body: (inout JSONReader) throws -> Void) throws {
        try forEachElement(in: &reader, field: field()) { reader in
            guard try reader.peekKind() == .object else { throw PodDecodingError(description: "\(field()) entries must be objects") }
            try reader.beginObject()
            try body(&reader)
        }
    }

    /// Calls `body` with each member of an object (`null` has none); `body` consumes the value.
    private static func forEachMember(of reader: inout JSONReader, field: @autoclosure () -> String,
                                      _ body: (inout JSONReader, JSONKey) throws -> Void) throws {
        switch try reader.peekKind() {
        case .null: try reader.skipValue()
        case .object:
            try reader.beginObject()
            while let key = try reader.nextKey() { try body(&reader, key) }
        default: throw PodDecodingError(description: "\(field()) must be an object")
        }
    }
}
