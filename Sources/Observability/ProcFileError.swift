/// Why a procfs file could not be read or understood.
enum ProcFileError: Error, Equatable, CustomStringConvertible {
    /// A system call failed on `path`.
    case systemCall(call: String, path: String, errno: Int32)
    /// `path` was read but does not have the expected layout.
    case malformed(path: String, reason: String)

    var description: String {
        switch self {
        case .systemCall(let call, let path, let errno): "\(call)(\(path)) failed: errno \(errno)"
        case .malformed(let path, let reason): "\(path): \(reason)"
        }
    }
}
