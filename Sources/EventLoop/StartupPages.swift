internal import Glibc

/// Unmaps the file pages start-up touched, so that they stop counting in the resident size.
///
/// Start-up runs code and reads constants that serving never uses again: argument parsing, the YAML
/// parser, Foundation and ICU reading the profile, certificate loading. The kernel maps file pages 64 KiB
/// around each fault, so this scattered code makes a large share of the resident size. Measured on the
/// static release binary in file mode under the benchmark load: the binary's resident pages were 12.9 MiB
/// (.text 9.35) without a release and 7.0 MiB (.text 4.1) with one once ready; RssFile 19.5–20.1 → 10.5–10.9 MiB.
///
/// Only mappings that no one ever wrote are released: read-only (`r--p`, `r-xp`) private file mappings
/// without a single anonymous (copied-on-write) page. For them `MADV_DONTNEED` just drops the page-table
/// entries; the pages stay in the page cache, and those serving needs come back with a minor fault. A
/// written private page (relocations in RELRO, a debugger's breakpoint) exists nowhere else, so any
/// mapping that holds one is left alone.
public enum StartupPages {
    /// What `release()` dropped.
    public struct Release: Sendable, Equatable {
        /// Mappings released.
        public var mappings: Int
        /// Resident bytes they held.
        public var bytes: Int
    }

    /// One read-only private file mapping that was never written.
    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var residentBytes: Int
    }

    /// Drops every never-written read-only file mapping of this process from its resident set.
    /// Call once the process is ready: later faults bring back only the pages still in use.
    @discardableResult
    public static func release() -> Release {
        guard let smaps = read("/proc/self/smaps") else { return Release(mappings: 0, bytes: 0) }
        var released = Release(mappings: 0, bytes: 0)
        for mapping in releasable(smaps: smaps) {
            let address = UnsafeMutableRawPointer(bitPattern: mapping.start)
            // EINVAL (a locked or special mapping) leaves it resident, which is harmless.
            guard madvise(address, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 else { continue }
            released.mappings += 1
            released.bytes += mapping.residentBytes
        }
        return released
    }

    /// The mappings of a `/proc/PID/smaps` text that can be released: private, read-only, backed by a
    /// file, with no anonymous or swapped page and something resident.
    static func releasable(smaps: [UInt8]) -> [Mapping] {
        var mappings: [Mapping] = []
        var candidate: Mapping?
        var written = false
        func finish() {
            if let mapping = candidate, !written, mapping.residentBytes > 0 { mappings.append(mapping) }
            candidate = nil
            written = false
        }
        for line in smaps.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "))
            guard let first = fields.first else { continue }
            if first.last == UInt8(ascii: ":") {
                guard candidate != nil, fields.count >= 2, let kibibytes = Int(String(decoding: fields[1], as: UTF8.self)) else { continue }
                switch String(decoding: first, as: UTF8.self) {
                case "Rss:": candidate?.residentBytes = kibibytes << 10
                case "Anonymous:", "Swap:", "Private_Dirty:", "Shared_Dirty:": written = written || kibibytes > 0
                default: break
                }
            } else if first.contains(UInt8(ascii: "-")) {
                finish()
                candidate = fileMapping(fields)
            }
        }
        finish()
        return mappings
    }

    /// A mapping header (`start-end perms offset dev inode path`) if it is a read-only private file mapping.
    private static func fileMapping(_ fields: [ArraySlice<UInt8>]) -> Mapping? {
        guard fields.count >= 6, fields[5].first == UInt8(ascii: "/"), fields[4] != [UInt8(ascii: "0")] else { return nil }
        let permissions = String(decoding: fields[1], as: UTF8.self)
        guard permissions == "r--p" || permissions == "r-xp" else { return nil }
        let bounds = fields[0].split(separator: UInt8(ascii: "-"))
        guard bounds.count == 2, let start = UInt(String(decoding: bounds[0], as: UTF8.self), radix: 16),
              let end = UInt(String(decoding: bounds[1], as: UTF8.self), radix: 16), end > start else { return nil }
        return Mapping(start: start, end: end, residentBytes: 0)
    }

    /// The whole content of a procfs file, whose size is unknown until read to the end.
    private static func read(_ path: String) -> [UInt8]? {
        let file = FileDescriptor(open(path, O_RDONLY | O_CLOEXEC))
        guard file.isOpen else { return nil }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let result = try? checkedSyscall("read") { chunk.withUnsafeMutableBytes { Glibc.read(file.rawValue, $0.baseAddress, $0.count) } }
            guard let count = result else { return nil }
            if count == 0 { return content }
            content.append(contentsOf: chunk[..<count])
        }
    }
}
