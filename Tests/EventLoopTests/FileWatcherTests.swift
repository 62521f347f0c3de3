import EventLoop
import Foundation
import Synchronization
import Testing

/// A scratch directory removed at the end of the test.
private final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("filewatcher-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func url(_ name: String) -> String { "\(path)/\(name)" }
}

/// Rewrites `path` in place (open with O_TRUNC, write, close): same inode.
private func writeInPlace(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw SystemError(call: "open", errno: errno) }
    defer { close(fd) }
    guard write(fd, text, text.utf8.count) == text.utf8.count else { throw SystemError(call: "write", errno: errno) }
}

/// Writes a temporary file next to `path` and renames it over `path`, as editors and atomic writers do.
private func writeAndRename(_ path: String, _ text: String) throws {
    try writeInPlace(path + ".tmp", text)
    guard rename(path + ".tmp", path) == 0 else { throw SystemError(call: "rename", errno: errno) }
}

/// Counts `onChange` calls of a watcher started on `loop`.
private final class ChangeCounter: Sendable {
    let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }

    /// Starts watching `paths` on `loop`; the watcher lives as long as its loop registrations and timers.
    func watch(_ paths: [String], on loop: EventLoop, configuration: FileWatcherConfiguration = .init()) async throws {
        try await loop.submit {
            _ = try FileWatcher(paths: paths, loop: loop, configuration: configuration) { self.count.add(1, ordering: .relaxed) }
        }
    }

    /// Whether exactly one change is reported within 1 s and no second one follows within `quiet`.
    func sawExactlyOneChange(quiet: Duration = .milliseconds(300)) async throws -> Bool {
        guard await eventually(within: .seconds(1), { value >= 1 }) else { return false }
        try await Task.sleep(for: quiet)
        return value == 1
    }
}

@Suite struct FileWatcherTests {
    @Test func inPlaceWriteTriggersOneChange() async throws {
        let directory = try ScratchDirectory()
        let file = directory.url("profile.yaml")
        try writeInPlace(file, "a: 1\n")
        try await withRunningLoop { loop in
            let changes = ChangeCounter()
            try await changes.watch([file], on: loop)
            try writeInPlace(file, "a: 2\n")
            #expect(try await changes.sawExactlyOneChange())
        }
    }

    @Test func writeAndRenameTriggersOneChange() async throws {
        let directory = try ScratchDirectory()
        let file = directory.url("tls.key")
        try writeInPlace(file, "old key")
        try await withRunningLoop { loop in
            let changes = ChangeCounter()
            try await changes.watch([file], on: loop)
            try writeAndRename(file, "new key")
            #expect(try await changes.sawExactlyOneChange())
        }
    }

    @Test func kubeletDataSymlinkSwapTriggersOneChange() async throws {
        let directory = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: directory.url("..2026_01_01"), withIntermediateDirectories: false)
        try writeInPlace(directory.url("..2026_01_01/tls.crt"), "first certificate")
        #expect(symlink("..2026_01_01", directory.url("..data")) == 0)
        #expect(symlink("..data/tls.crt", directory.url("tls.crt")) == 0)
        try await withRunningLoop { loop in
            let changes = ChangeCounter()
            try await changes.watch([directory.url("tls.crt")], on: loop)
            // kubelet's atomic writer: new timestamped dir, `..data_tmp` symlink renamed over `..data`, old dir removed.
            try FileManager.default.createDirectory(atPath: directory.url("..2026_01_02"), withIntermediateDirectories: false)
            try writeInPlace(directory.url("..2026_01_02/tls.crt"), "second certificate")
            #expect(symlink("..2026_01_02", directory.url("..data_tmp")) == 0)
            #expect(rename(directory.url("..data_tmp"), directory.url("..data")) == 0)
            try FileManager.default.removeItem(atPath: directory.url("..2026_01_01"))
            #expect(try await changes.sawExactlyOneChange())
        }
        #expect(try String(contentsOfFile: directory.url("tls.crt"), encoding: .utf8) == "second certificate")
    }

    @Test func unrelatedFilesInTheDirectoryAreIgnored() async throws {
        let directory = try ScratchDirectory()
        let file = directory.url("tls.crt")
        try writeInPlace(file, "certificate")
        try await withRunningLoop { loop in
            let changes = ChangeCounter()
            try await changes.watch([file], on: loop)
            try writeInPlace(directory.url("other.txt"), "noise")
            try writeAndRename(directory.url("another.txt"), "more noise")
            try await Task.sleep(for: .milliseconds(400))
            #expect(changes.value == 0)
        }
    }

    @Test func pollFallbackSeesChangesWithoutInotify() async throws {
        let directory = try ScratchDirectory()
        let file = directory.url("profile.yaml")
        try writeInPlace(file, "a: 1\n")
        try await withRunningLoop { loop in
            let changes = ChangeCounter()
            let configuration = FileWatcherConfiguration(pollInterval: .milliseconds(200), usesInotify: false)
            try await changes.watch([file], on: loop, configuration: configuration)
            try await Task.sleep(for: .milliseconds(250))
            #expect(changes.value == 0, "a poll without a change reports nothing")
            try writeInPlace(file, "a: 22\n")
            #expect(await eventually(within: .seconds(1)) { changes.value == 1 })
        }
    }

    @Test func stopSilencesTheWatcher() async throws {
        let directory = try ScratchDirectory()
        let file = directory.url("tls.crt")
        try writeInPlace(file, "certificate")
        try await withRunningLoop { loop in
            let changes = ChangeCounter()
            try await loop.submit {
                let watcher = try FileWatcher(paths: [file], loop: loop) { changes.count.add(1, ordering: .relaxed) }
                watcher.stop()
            }
            try writeAndRename(file, "replaced")
            try await Task.sleep(for: .milliseconds(300))
            #expect(changes.value == 0)
        }
    }
}
