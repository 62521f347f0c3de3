internal import Glibc

/// A failed system call: the call's name and the `errno` it reported.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name of the failing call, e.g. `"bind"`.
    public let call: String
    /// The `errno` value the call reported.
    public let errno: Int32

    /// Creates an error for `call` failing with `errno`.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// The C library's text for `errno`, e.g. "Address already in use".
    public var message: String { String(cString: strerror(errno)) }

    public var description: String { "\(call) failed: \(message) (errno \(errno))" }
}
