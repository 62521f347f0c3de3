import Foundation
import Testing
@testable import Observability

@Suite struct ProcessSnapshotTests {
    /// A fake procfs tree; removed by the caller.
    private func makeProcRoot(stat: String, limits: String, openFiles: Int) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("proc-\(UUID().uuidString)")
        let fdDirectory = root.appendingPathComponent("self/fd")
        try FileManager.default.createDirectory(at: fdDirectory, withIntermediateDirectories: true)
        try stat.write(to: root.appendingPathComponent("self/stat"), atomically: true, encoding: .utf8)
        try limits.write(to: root.appendingPathComponent("self/limits"), atomically: true, encoding: .utf8)
        try "cpu  1 2 3\nbtime 1700000000\nprocesses 42\n"
            .write(to: root.appendingPathComponent("stat"), atomically: true, encoding: .utf8)
        for index in 0..<openFiles {
            try Data().write(to: fdDirectory.appendingPathComponent(String(index)))
        }
        return root
    }

    // A command name with spaces and parentheses: fields must be counted from the last ')'.
    private let stat = "4242 (eci (profile) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 "
        + "250 130 0 0 20 0 3 0 12350 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
    private let limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 524288               files
        Max locked memory         8388608              8388608              bytes

        """

    @Test func readsEveryFigureFromAFakeProcTree() throws {
        let root = try makeProcRoot(stat: stat, limits: limits, openFiles: 3)
        defer { try? FileManager.default.removeItem(at: root) }
        let snapshot = ProcessSnapshot.read(procRoot: root.path, clockTicksPerSecond: 100, pageSize: 4096)
        #expect(snapshot == ProcessSnapshot(
            cpuSeconds: 3.8, residentMemoryBytes: 2560 * 4096, virtualMemoryBytes: 104_857_600,
            startTimeSeconds: 1_700_000_123.5, openFileDescriptors: 3, maxFileDescriptors: 1024))
    }

    @Test func unlimitedOpenFilesHasNoMaximum() throws {
        let unlimited = limits.replacingOccurrences(of: "1024                 524288", with: "unlimited            unlimited")
        let root = try makeProcRoot(stat: stat, limits: unlimited, openFiles: 1)
        defer { try? FileManager.default.removeItem(at: root) }
        let snapshot = ProcessSnapshot.read(procRoot: root.path, clockTicksPerSecond: 100, pageSize: 4096)
        #expect(snapshot.maxFileDescriptors == nil)
        #expect(snapshot.openFileDescriptors == 1)
    }

    @Test func truncatedStatIsMalformed() {
        #expect(throws: ProcFileError.malformed(path: "stat", reason: "field 22 missing or not an integer")) {
            try ProcessStat(parsing: Array("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14".utf8), path: "stat")
        }
        #expect(throws: ProcFileError.malformed(path: "stat", reason: "no ')' after the command name")) {
            try ProcessStat(parsing: Array("1 x S".utf8), path: "stat")
        }
    }

    @Test func missingFilesLeaveFiguresOutOfThePage() throws {
        let snapshot = ProcessSnapshot.read(procRoot: "/nonexistent-proc")
        #expect(snapshot == ProcessSnapshot())
        var page: [UInt8] = []
        snapshot.appendExposition(to: &page)
        #expect(page.isEmpty)
        #expect(throws: ProcFileError.systemCall(call: "open", path: "/nonexistent-proc/stat", errno: ENOENT)) {
            try ProcFile.read("/nonexistent-proc/stat")
        }
    }

    @Test func expositionHasHelpTypeAndSampleLines() {
        let snapshot = ProcessSnapshot(cpuSeconds: 1.5, residentMemoryBytes: 2048, openFileDescriptors: 7)
        var page: [UInt8] = []
        snapshot.appendExposition(to: &page)
        #expect(String(decoding: page, as: UTF8.self) == """
            # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
            # TYPE process_cpu_seconds_total counter
            process_cpu_seconds_total 1.5
            # HELP process_resident_memory_bytes Resident memory size in bytes.
            # TYPE process_resident_memory_bytes gauge
            process_resident_memory_bytes 2048
            # HELP process_open_fds Number of open file descriptors.
            # TYPE process_open_fds gauge
            process_open_fds 7

            """)
    }
}
