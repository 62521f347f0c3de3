internal import Glibc
import Synchronization

/// Writes log lines to a file descriptor, one line at a time.
///
/// A line is written whole under a lock (retrying short writes and `EINTR`), so lines from several
/// threads never interleave, even past `PIPE_BUF`. A failed write drops the line: there is nowhere
/// left to report it.
public final class FileDescriptorLogSink: LogSink {
    /// The process's standard error, shared so every handler writing there takes the same lock.
    public static let standardError = FileDescriptorLogSink(fileDescriptor: STDERR_FILENO)

    private let fileDescriptor: Mutex<Int32>

    /// Writes to `fileDescriptor`, which the caller keeps open for the sink's lifetime.
    public init(fileDescriptor: Int32) {
        self.fileDescriptor = Mutex(fileDescriptor)
    }

    /// Writes `line` whole.
    public func write(line: [UInt8]) {
        fileDescriptor.withLock { fd in
            line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}
