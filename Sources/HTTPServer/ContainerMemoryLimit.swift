import Glibc

/// The memory limit of the container the process runs in, read from its cgroup, and the memory budget
/// derived from it.
public enum ContainerMemoryLimit {
    /// Share of the memory limit given to the `MemoryBudget`; the rest covers the process's baseline
    /// (code, runtime, profile, caches) and allocator slack, so the resident size stays well under the limit.
    public static let budgetFraction = 0.35
    /// The budget when no limit is set (a 512 MiB limit would give the same).
    public static let defaultBudget = 256 << 20

    /// The budget for a memory limit in bytes (nil: no limit, `defaultBudget`).
    public static func budget(forLimit limit: Int?) -> Int {
        guard let limit else { return defaultBudget }
        return max(1 << 20, Int(Double(limit) * budgetFraction))
    }

    /// The limit of this process's cgroup: v2 `memory.max`, else v1 `memory.limit_in_bytes`, looked up
    /// under `root` (default `/sys/fs/cgroup`, as mounted in a container). Nil when there is none
    /// (`max`, or v1's "unlimited" value near `Int64.max`, or no readable file).
    public static func read(root: String = "/sys/fs/cgroup") -> Int? {
        for path in [root + "/memory.max", root + "/memory/memory.limit_in_bytes"] {
            guard let text = readSmallFile(path) else { continue }
            return parse(text)
        }
        return nil
    }

    /// Parses the content of `memory.max` or `memory.limit_in_bytes`.
    public static func parse(_ text: String) -> Int? {
        let value = String(text.filter { !$0.isWhitespace })
        guard value != "max", let bytes = Int(value), bytes > 0 else { return nil }
        // cgroup v1 reports "no limit" as the largest page-aligned value (9223372036854771712).
        return bytes >= 1 << 62 ? nil : bytes
    }

    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }
}
