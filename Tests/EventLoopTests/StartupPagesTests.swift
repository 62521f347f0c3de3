@testable import EventLoop
import Foundation
import Testing

@Suite struct StartupPagesTests {
    /// A `/proc/self/smaps` excerpt of a static-PIE binary: its read-only segment, its text (one
    /// breakpoint-patched copy in the second text mapping), RELRO (read-only after relocation, all
    /// written), data, the heap and a shared library's text.
    static let smaps = """
        55d0c0000000-55d0c0200000 r--p 00000000 fe:00 1234                       /usr/local/bin/eci-profile
        Size:               2048 kB
        Rss:                1024 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        55d0c0200000-55d0c0a00000 r-xp 00200000 fe:00 1234                       /usr/local/bin/eci-profile
        Size:               8192 kB
        Rss:                6000 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        55d0c0a00000-55d0c0a01000 r-xp 00a00000 fe:00 1234                       /usr/local/bin/eci-profile
        Size:                  4 kB
        Rss:                   4 kB
        Private_Dirty:         4 kB
        Anonymous:             4 kB
        Swap:                  0 kB
        55d0c0a01000-55d0c0b00000 r--p 00a01000 fe:00 1234                       /usr/local/bin/eci-profile
        Size:               1020 kB
        Rss:                 620 kB
        Private_Dirty:       620 kB
        Anonymous:           620 kB
        Swap:                  0 kB
        55d0c0b00000-55d0c0c00000 rw-p 00b00000 fe:00 1234                       /usr/local/bin/eci-profile
        Size:               1024 kB
        Rss:                 900 kB
        Private_Dirty:       900 kB
        Anonymous:           900 kB
        Swap:                  0 kB
        55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0                          [heap]
        Size:               1024 kB
        Rss:                 800 kB
        Private_Dirty:       800 kB
        Anonymous:           800 kB
        Swap:                  0 kB
        7f0000000000-7f0000100000 r-xp 00028000 fe:00 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Size:               1024 kB
        Rss:                 700 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000100000-7f0000140000 r--p 00128000 fe:00 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
        Size:                256 kB
        Rss:                   0 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Size:                  8 kB
        Rss:                   8 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        Swap:                  0 kB

        """

    @Test func releasesOnlyNeverWrittenReadOnlyFileMappings() {
        let mappings = StartupPages.releasable(smaps: Array(Self.smaps.utf8))
        #expect(mappings == [
            StartupPages.Mapping(start: 0x55d0c0000000, end: 0x55d0c0200000, residentBytes: 1024 << 10),
            StartupPages.Mapping(start: 0x55d0c0200000, end: 0x55d0c0a00000, residentBytes: 6000 << 10),
            StartupPages.Mapping(start: 0x7f0000000000, end: 0x7f0000100000, residentBytes: 700 << 10),
        ])
    }

    @Test func releasedCodeRunsAgainFromThePageCache() throws {
        let before = try residentFileKiB()
        let released = StartupPages.release()
        #expect(released.mappings > 0)
        #expect(released.bytes > 0)
        #expect(try residentFileKiB() < before)
        // The code and constants that run from here on fault back in.
        #expect(StartupPages.releasable(smaps: Array(Self.smaps.utf8)).count == 3)
    }

    /// `RssFile` of this process, in KiB.
    private func residentFileKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
        return try #require(Int(line.split(separator: " ")[1]))
    }
}
