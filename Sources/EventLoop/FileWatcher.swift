internal import CLinuxShims
internal import Glibc

/// Calls `onChange` when any of a set of files changes content, as seen through symlinks.
///
/// inotify watches each file's parent directory (and the directory its symlinks resolve to), not the file,
/// because the file is usually replaced rather than rewritten: kubelet renames a new `..data` symlink over the
/// old one, editors write a temporary file and rename it. A burst of events is gathered for `debounce`, then
/// the files' signatures are compared with the last ones; an event naming a watched file itself (an in-place
/// write within the filesystem's timestamp granularity keeps the signature) counts as a change even so.
/// A poll every `pollInterval` compares signatures too, covering whatever inotify misses.
///
/// Its loop registration and timers keep it alive until `stop()` (or the loop shuts down).
public final class FileWatcher {
    private let paths: [String]
    private let loop: EventLoop
    private let configuration: FileWatcherConfiguration
    private let onChange: () -> Void
    private var inotify: FileDescriptor
    /// For each inotify watch descriptor, the names in that directory that are watched files.
    private var watchedNames: [Int32: Set<String>] = [:]
    private var signatures: [FileSignature?]
    private var debounceTimer: TimerID?
    private var pollTimer: TimerID?
    private var sawWatchedName = false
    private var isWatching = true

    private static let directoryEvents = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB)
        | UInt32(IN_DELETE_SELF | IN_MOVE_SELF)

    /// Starts watching `paths`; the current contents are the baseline. Loop thread only.
    public init(
        paths: [String], loop: EventLoop, configuration: FileWatcherConfiguration = .init(), onChange: @escaping () -> Void
    ) throws(SystemError) {
        loop.preconditionInEventLoop()
        self.paths = paths
        self.loop = loop
        self.configuration = configuration
        self.onChange = onChange
        self.signatures = paths.map(FileSignature.init(path:))
        self.inotify = FileDescriptor(-1)
        if configuration.usesInotify {
            inotify = FileDescriptor(try checkedSyscall("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) })
            try loop.register(fd: inotify.rawValue, interest: .read) { [self] _ in readEvents() }
            addWatches()
        }
        schedulePoll()
    }

    /// Stops watching; `onChange` is not called afterwards. Loop thread only.
    public func stop() {
        loop.preconditionInEventLoop()
        isWatching = false
        if let debounceTimer { loop.cancelTimer(debounceTimer) }
        if let pollTimer { loop.cancelTimer(pollTimer) }
        (debounceTimer, pollTimer) = (nil, nil)
        if inotify.isOpen {
            loop.deregister(fd: inotify.rawValue)
            inotify.close()
        }
    }

    /// Watches the parent directory of each path and of the file it resolves to. inotify hands back the
    /// existing watch for a directory already watched, so calling this again after every change only adds
    /// directories that appeared (a missing directory is left to the poll).
    private func addWatches() {
        guard inotify.isOpen else { return }
        for path in paths {
            var locations = [Self.split(path)]
            if let resolved = Self.resolve(path), resolved != path { locations.append(Self.split(resolved)) }
            for (directory, name) in locations {
                let descriptor = inotify_add_watch(inotify.rawValue, directory, Self.directoryEvents)
                if descriptor >= 0 { watchedNames[descriptor, default: []].insert(name) }
            }
        }
    }

    private func readEvents() {
        let buffer = loop.scratchBuffer
        while inotify.isOpen {
            let fd = inotify.rawValue
            let result: IOResult<Int>
            do throws(SystemError) {
                result = try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            } catch {
                // Only a bad descriptor or buffer fails an inotify read, which this class rules out.
                preconditionFailure("\(error)")
            }
            guard case .processed(let count) = result, count > 0 else { return }
            noteEvents(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Walks the `inotify_event` records (wd, mask, cookie, len, then `len` bytes of NUL-padded name).
    private func noteEvents(_ records: UnsafeRawBufferPointer) {
        let headerSize = 16
        var offset = 0
        while offset + headerSize <= records.count {
            let watch = records.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = records.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let nameLength = Int(records.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = records[(offset + headerSize)..<min(offset + headerSize + nameLength, records.count)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            if mask & UInt32(IN_Q_OVERFLOW) != 0 || watchedNames[watch]?.contains(name) == true {
                sawWatchedName = true
            }
            if mask & UInt32(IN_IGNORED) != 0 { watchedNames[watch] = nil }
            offset += headerSize + nameLength
        }
        if debounceTimer == nil {
            debounceTimer = loop.scheduleTimer(after: configuration.debounce) { [self] in
                debounceTimer = nil
                check(force: sawWatchedName)
            }
        }
    }

    private func schedulePoll() {
        pollTimer = loop.scheduleTimer(after: configuration.pollInterval) { [self] in
            pollTimer = nil
            check(force: false)
            if isWatching { schedulePoll() }
        }
    }

    private func check(force: Bool) {
        guard isWatching else { return }
        sawWatchedName = false
        addWatches()
        let current = paths.map(FileSignature.init(path:))
        let changed = force || current != signatures
        signatures = current
        if changed { onChange() }
    }

    /// (directory, last component) of `path`; a bare name lives in ".".
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// `path` with every symlink resolved, or nil if it does not resolve.
    private static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
