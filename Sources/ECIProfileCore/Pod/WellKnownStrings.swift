/// Strings that nearly every pod carries and that are too long to be stored inline in a `String`
/// (more than 15 UTF-8 bytes). Decoded as one of these literals, such a string is never
/// allocated, copied, reference counted or freed (measured with callgrind, planning-benchmark,
/// bench review with its two default tolerations and `pod-template-hash` label: 58.5k -> 57.9k
/// instructions per review).
struct WellKnownStrings {
    let strings: [String]
    /// Bit n set when one of the strings is n bytes long (all are shorter than 64): most names
    /// are told apart by their length alone (measured: 56.0k -> 55.9k instructions per review).
    let lengths: UInt64

    init(_ strings: [String]) {
        self.strings = strings
        lengths = strings.reduce(0) { $0 | 1 << $1.utf8.count }
    }

    /// The keys of the tolerations the DefaultTolerationSeconds admission plugin gives every pod.
    static let tolerationKeys = WellKnownStrings(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
    /// Label keys the workload controllers set on their pods, and node labels a nodeSelector names.
    static let labelKeys = WellKnownStrings(["pod-template-hash", "controller-revision-hash", "pod-template-generation",
                                             "kubernetes.io/os", "kubernetes.io/arch", "kubernetes.io/hostname"])
}

extension JSONKey {
    /// The decoded string: the equal one of `known` when there is one.
    func string(preferring known: WellKnownStrings) -> String {
        if !hasEscapes, bytes.count < 64, known.lengths >> bytes.count & 1 == 1 {
            for candidate in known.strings where candidate.utf8.count == bytes.count {
                // String literals are contiguous UTF-8.
                let equal = candidate.utf8.withContiguousStorageIfAvailable { Self.sameBytes(UnsafeRawBufferPointer($0), bytes) }
                if equal == true { return candidate }
            }
        }
        return string
    }

    /// Whether `a` and `b`, of the same length, hold the same bytes: eight at a time.
    private static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= a.count {
            guard a.loadUnaligned(fromByteOffset: index, as: UInt64.self) == b.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
            index += 8
        }
        while index < a.count {
            guard a[index] == b[index] else { return false }
            index += 1
        }
        return true
    }
}
