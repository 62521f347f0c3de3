internal import Glibc

/// Reads procfs files, whose size is unknown until read to the end.
enum ProcFile {
    /// The whole content of the file at `path`.
    static func read(_ path: String) throws(ProcFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .systemCall(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return content }
            if count < 0 {
                if errno == EINTR { continue }
                throw .systemCall(call: "read", path: path, errno: errno)
            }
            content.append(contentsOf: chunk[..<count])
        }
    }

    /// The number of entries of the directory at `path`, `.` and `..` excluded.
    ///
    /// For `/proc/self/fd` this includes the descriptor used to list it, as other Prometheus clients count.
    static func countEntries(_ path: String) throws(ProcFileError) -> Int {
        guard let directory = opendir(path) else { throw .systemCall(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDotOrDotDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDotOrDotDot { count += 1 }
        }
        return count
    }
}
