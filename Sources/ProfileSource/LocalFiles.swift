internal import Glibc

/// The few file-system calls reading profiles needs, made with POSIX calls directly: the server reads
/// its files at start and on every change, and Foundation's `FileManager` would bring Foundation's code
/// (and with it ICU) into the serving process's resident pages for this alone.
public enum LocalFiles {
    /// What is at a path, following symbolic links as kubelet's ConfigMap volumes need.
    public enum Kind: Sendable, Equatable {
        case missing, directory, other
    }

    /// What `path` names.
    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        return status.st_mode & S_IFMT == S_IFDIR ? .directory : .other
    }

    /// The names in directory `path` that do not start with `.` (kubelet's `..data` and the like), sorted.
    public static func visibleNames(in path: String) throws(ProfileFileError) -> [String] {
        guard let directory = opendir(path) else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    /// `name` inside directory `path`.
    public static func path(_ name: String, in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The whole content of the regular file at `path`.
    ///
    /// Opened without blocking and checked to be a regular file before it is read: opening a FIFO
    /// for reading would otherwise wait for a writer, stalling the loop that reloads the profile.
    static func read(_ path: String) throws(ProfileFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .unreadable(path: path, reason: "permission denied or not a regular file") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return content }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: "permission denied or not a regular file")
            }
            content.append(contentsOf: chunk[..<count])
        }
    }
}
