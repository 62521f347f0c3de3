/// Strings that nearly every pod carries and that are too long to be stored inline in a `String`
/// (more than 15 UTF-8 bytes). Decoded as one of these literals, such a string is never
/// allocated, copied, reference counted or freed (measured with callgrind, planning-benchmark,
/// bench review with its two default tolerations and `pod-template-hash` label: 58.5k -> 57.9k
/// instructions per review).
enum WellKnownStrings {
    /// The keys of the tolerations the DefaultTolerationSeconds admission plugin gives every pod.
    static let tolerationKeys = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    /// Label keys the workload controllers set on their pods, and node labels a nodeSelector names.
    static let labelKeys = ["pod-template-hash", "controller-revision-hash", "pod-template-generation",
                            "kubernetes.io/os", "kubernetes.io/arch", "kubernetes.io/hostname"]
}

extension JSONKey {
    /// The decoded string: the equal one of `known` when there is one.
    func string(preferring known: [String]) -> String {
        if !hasEscapes {
            for candidate in known where candidate.utf8.count == bytes.count {
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
