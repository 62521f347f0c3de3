internal import Glibc

/// A file descriptor owned by exactly one value and closed exactly once (by `close()` or on destruction).
struct FileDescriptor: ~Copyable {
    /// The descriptor, or -1 once closed.
    private(set) var rawValue: Int32

    init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    var isOpen: Bool { rawValue >= 0 }

    /// Closes the descriptor if it is still open. `close` is not retried on `EINTR`: on Linux the
    /// descriptor is released even then, and a retry could close a descriptor another thread just got.
    mutating func close() {
        guard rawValue >= 0 else { return }
        _ = Glibc.close(rawValue)
        rawValue = -1
    }

    deinit {
        if rawValue >= 0 { _ = Glibc.close(rawValue) }
    }
}
