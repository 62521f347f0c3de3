/// Why a pod object could not be read: valid JSON, but not shaped like a pod where it matters.
public struct PodDecodingError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

extension PodSnapshot {
    /// Reads a pod object at the reader's position, skipping (but checking) everything it does not need.
    ///
    /// A pod needs `metadata` and `spec` objects: the patch adds below them. A member repeated in
    /// the object counts as its last occurrence, as in Go's and Python's decoders (and in
    /// `JSONValue` and the patch applier), so the webhook and whoever applies its patch agree.
    public init(from reader: inout JSONReader) throws {
        self.init()
        var hasMetadata = false
        var hasSpec = false
        // Whether a spec object has been read, whose members a repeated one clears.
        var specRead = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "metadata" {
                hasMetadata = try reader.peekKind() == .object
                hasMetadata ? try decodeMetadata(&reader) : try reader.skipValue()
            } else if key == "spec" {
                hasSpec = try reader.peekKind() == .object
                hasSpec ? try decodeSpec(&reader, clearing: specRead) : try reader.skipValue()
                specRead = specRead || hasSpec
            } else {
                try reader.skipValue()
            }
        }
        guard hasMetadata, hasSpec else { throw PodDecodingError(description: "a pod needs metadata and spec objects") }
    }

    /// Reads a pod from a complete JSON document.
    public init(json bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            let pod = try PodSnapshot(from: &reader)
            try reader.expectEnd()
            return pod
        }
    }

    private mutating func decodeMetadata(_ reader: inout JSONReader) throws {
        (name, generateName, labels, annotationKeys, compatibility.daemonSetOwner) = (nil, nil, nil, nil, nil)
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "name" {
                name = try reader.readOptionalString()
            } else if key == "generateName" {
                generateName = try reader.readOptionalString()
            } else if key == "labels" {
                labels = try Self.readStringMap(&reader, field: "metadata.labels")
            } else if key == "annotations" {
                annotationKeys = try Self.readKeys(&reader, field: "metadata.annotations")
            } else if key == "ownerReferences" {
                compatibility.daemonSetOwner = try CompatibilityFacts.readDaemonSetOwner(&reader)
            } else {
                try reader.skipValue()
            }
        }
    }

    /// Reads a spec object; `clearing` first forgets what an earlier one said. Cleared only then:
    /// clearing members still as `init()` made them released a dozen empty values (callgrind,
    /// `serve`, bench review: `decodeSpec` 18.55k -> 18.35k instructions per request).
    private mutating func decodeSpec(_ reader: inout JSONReader, clearing: Bool) throws {
        if clearing {
            (nodeName, nodeSelector, tolerations, affinity) = (nil, nil, nil, nil)
            let daemonSetOwner = compatibility.daemonSetOwner
            compatibility = CompatibilityFacts(daemonSetOwner: daemonSetOwner)
        }
        // Containers and init containers are kept apart while reading, so a warning lists
        // containers first whatever the members' order.
        var containers: (hostPorts: [CompatibilityFacts.HostPort], privileged: [CompatibilityFacts.Container]) = ([], [])
        var initContainers = containers
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "hostNetwork" {
                compatibility.hostNetwork = try CompatibilityFacts.readFlag(&reader, field: "spec.hostNetwork")
            } else if key == "volumes" {
                compatibility.hostPathVolumes = try CompatibilityFacts.readHostPathVolumes(&reader)
            } else if key == "containers" {
                containers = try CompatibilityFacts.readContainers(&reader, isInit: false)
            } else if key == "initContainers" {
                initContainers = try CompatibilityFacts.readContainers(&reader, isInit: true)
            } else if key == "nodeName" {
                nodeName = try reader.readOptionalString()
            } else if key == "nodeSelector" {
                nodeSelector = try Self.readStringMap(&reader, field: "spec.nodeSelector")
            } else if key == "tolerations" {
                tolerations = try Self.readTolerations(&reader)
            } else if key == "affinity" {
                (affinity, compatibility.pinnedNodeNames) = try Self.readAffinity(&reader)
            } else {
                try reader.skipValue()
            }
        }
        // Joined only when init containers add some: `+` of two arrays, empty as they mostly are,
        // still built a third (callgrind, `serve`, bench review: `decodeSpec` 24.3k -> 24.1k
        // instructions per request).
        compatibility.hostPorts = initContainers.hostPorts.isEmpty
            ? containers.hostPorts : containers.hostPorts + initContainers.hostPorts
        compatibility.privilegedContainers = initContainers.privileged.isEmpty
            ? containers.privileged : containers.privileged + initContainers.privileged
    }

    /// A map of strings; nil for `null`.
    private static func readStringMap(_ reader: inout JSONReader, field: String) throws -> StringMap? {
        switch try reader.peekKind() {
        case .null:
            try reader.skipValue()
            return nil
        case .object:
            // Room for a typical pod's entries, so they are not reallocated as they come.
            var map = StringMap(minimumCapacity: 8)
            try reader.beginObject()
            while let key = try reader.nextKey() {
                guard try reader.peekKind() == .string else { throw PodDecodingError(description: "\(field) values must be strings") }
                map.updateValue(try reader.readString(), forKey: key.string(preferring: WellKnownStrings.labelKeys))
            }
            return map
        default:
            throw PodDecodingError(description: "\(field) must be an object")
        }
    }

    /// The keys of a map of strings (values checked but not kept); nil for `null`.
    private static func readKeys(_ reader: inout JSONReader, field: String) throws -> Set<String>? {
        switch try reader.peekKind() {
        case .null:
            try reader.skipValue()
            return nil
        case .object:
            var keys = Set<String>(minimumCapacity: 8)
            try reader.beginObject()
            while let key = try reader.nextKey() {
                guard try reader.peekKind() == .string else { throw PodDecodingError(description: "\(field) values must be strings") }
                keys.insert(key.string)
                try reader.skipValue()
            }
            return keys
        default:
            throw PodDecodingError(description: "\(field) must be an object")
        }
    }

    private static func readTolerations(_ reader: inout JSONReader) throws -> [Toleration]? {
        switch try reader.peekKind() {
        case .null:
            try reader.skipValue()
            return nil
        case .array:
            // Room for the two every pod gets (not-ready and unreachable) and a few more, so the
            // array is not reallocated as it grows (measured with callgrind: 190 instructions of the
            // bench review, 500 of the batch review).
            var tolerations: [Toleration] = []
            tolerations.reserveCapacity(4)
            try reader.beginArray()
            while try reader.nextElement() {
                // Read in place: a toleration read into a local and returned was copied and
                // destroyed once more (callgrind, `serve`, bench review: 4.6k -> 4.1k instructions
                // for its two tolerations).
                tolerations.append(Toleration())
                try readToleration(&reader, into: &tolerations[tolerations.count - 1])
            }
            return tolerations
        default:
            throw PodDecodingError(description: "spec.tolerations must be an array")
        }
    }

    private static func readToleration(_ reader: inout JSONReader, into toleration: inout Toleration) throws {
        guard try reader.peekKind() == .object else { throw PodDecodingError(description: "spec.tolerations entries must be objects") }
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "key" {
                toleration.key = try readOptionalString(&reader, preferring: WellKnownStrings.tolerationKeys) ?? ""
            } else if key == "operator" {
                // An operator Kubernetes would reject is read as Equal, the stricter reading.
                toleration.operator = try readOperator(&reader)
            } else if key == "value" {
                toleration.value = try reader.readOptionalString() ?? ""
            } else if key == "effect" {
                toleration.effect = try readEffect(&reader)
            } else {
                try reader.skipValue()
            }
        }
    }

    /// A string, or nil for `null`: the equal one of `known` when there is one.
    private static func readOptionalString(_ reader: inout JSONReader, preferring known: WellKnownStrings) throws -> String? {
        guard try reader.peekKind() != .null else {
            try reader.skipValue()
            return nil
        }
        return try reader.readStringKey().string(preferring: known)
    }

    /// A toleration's effect, "" for `null`: the three taint effects as literals, which cost
    /// nothing to make, where decoding the bytes cost ~130 instructions and PreferNoSchedule, longer
    /// than a String holds inline, an allocation (callgrind, `serve`, bench review: two tolerations
    /// read in 3.19k -> 2.93k instructions).
    private static func readEffect(_ reader: inout JSONReader) throws -> String {
        guard try reader.peekKind() != .null else {
            try reader.skipValue()
            return ""
        }
        let name = try reader.readStringKey()
        if name == "NoExecute" { return "NoExecute" }
        if name == "NoSchedule" { return "NoSchedule" }
        if name == "PreferNoSchedule" { return "PreferNoSchedule" }
        return name.string
    }

    /// A toleration's operator, compared in place; nil for `null` or a name that is not one.
    private static func readOperator(_ reader: inout JSONReader) throws -> Toleration.Operator? {
        guard try reader.peekKind() != .null else {
            try reader.skipValue()
            return nil
        }
        let name = try reader.readStringKey()
        return name == "Exists" ? .exists : name == "Equal" ? .equal : nil
    }

    /// The affinity, and the node names its required node affinity pins the pod to (see
    /// `CompatibilityFacts.pinnedNodeNames`).
    private static func readAffinity(_ reader: inout JSONReader) throws -> (Affinity?, pinnedNodeNames: [String]?) {
        switch try reader.peekKind() {
        case .null:
            try reader.skipValue()
            return (nil, nil)
        case .object:
            var affinity = Affinity()
            var pinnedNodeNames: [String]?
            try reader.beginObject()
            while let key = try reader.nextKey() {
                guard key == "nodeAffinity" else {
                    try reader.skipValue()
                    continue
                }
                affinity = Affinity(hasNodeAffinity: try reader.peekKind() == .object)
                pinnedNodeNames = nil
                guard affinity.hasNodeAffinity else {
                    try reader.skipValue()
                    continue
                }
                try reader.beginObject()
                while let nodeKey = try reader.nextKey() {
                    if nodeKey == "preferredDuringSchedulingIgnoredDuringExecution" {
                        if case .array(let terms) = try reader.readValue() {
                            affinity.preferredTerms = terms
                        } else {
                            affinity.preferredTerms = nil
                        }
                    } else if nodeKey == "requiredDuringSchedulingIgnoredDuringExecution" {
                        pinnedNodeNames = try CompatibilityFacts.readPinnedNodeNames(&reader)
                    } else {
                        try reader.skipValue()
                    }
                }
            }
            return (affinity, pinnedNodeNames)
        default:
            throw PodDecodingError(description: "spec.affinity must be an object")
        }
    }
}
