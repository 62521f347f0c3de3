internal import CLinuxShims
internal import Glibc

/// A connected TCP socket that owns its descriptor and closes it exactly once.
///
/// Use it from one thread at a time (normally its event loop's). Deregister it from the loop before `close()`.
public final class Socket {
    private var descriptor: FileDescriptor

    /// Takes ownership of a connected socket descriptor.
    public init(adopting fileDescriptor: Int32) {
        self.descriptor = FileDescriptor(fileDescriptor)
    }

    /// Connects to `address`, blocking until connected (for clients, tools and tests); call
    /// `setNonBlocking(true)` before using the socket on an event loop.
    public static func connect(to address: SocketAddress) throws(SystemError) -> Socket {
        let domain = address.family == .ipv6 ? AF_INET6 : AF_INET
        let socket = Socket(adopting: try checkedSyscall("socket") {
            Glibc.socket(domain, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        })
        _ = try address.withSockAddr { (pointer, length) throws(SystemError) -> Int32 in
            try checkedSyscall("connect") { Glibc.connect(socket.fileDescriptor, pointer, length) }
        }
        return socket
    }

    /// The descriptor, or -1 once closed.
    public var fileDescriptor: Int32 { descriptor.rawValue }

    /// Whether `close()` has not been called yet.
    public var isOpen: Bool { descriptor.isOpen }

    /// Reads up to `buffer.count` bytes; `.processed(0)` is end of file.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        let fd = descriptor.rawValue
        return try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes as many bytes of `bytes` as the send buffer takes (never raises `SIGPIPE`).
    @inline(__always)
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        let fd = descriptor.rawValue
        return try syscall("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Writes as much of `bytes[offset...]` as the send buffer takes (for callers keeping `[UInt8]` output).
    @inline(__always)
    public func write(_ bytes: [UInt8], from offset: Int = 0) throws(SystemError) -> IOResult<Int> {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try write(UnsafeRawBufferPointer(rebasing: raw[offset...])) }
        }
        return try result.get()
    }

    /// Sends FIN: the peer reads end of file while this side can still read.
    public func shutdownWrite() throws(SystemError) {
        let fd = descriptor.rawValue
        _ = try checkedSyscall("shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Closes the socket; later calls do nothing.
    public func close() {
        descriptor.close()
    }

    /// Enables or disables Nagle's algorithm (`TCP_NODELAY`); accepted sockets already have it disabled.
    public func setNoDelay(_ enabled: Bool) throws(SystemError) {
        try setSocketOption(descriptor.rawValue, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: enabled ? 1 : 0)
    }

    /// Switches `O_NONBLOCK` on or off; accepted sockets are already non-blocking.
    public func setNonBlocking(_ enabled: Bool) throws(SystemError) {
        let fd = descriptor.rawValue
        let flags = try checkedSyscall("fcntl") { fcntl(fd, F_GETFL) }
        let updated = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        _ = try checkedSyscall("fcntl") { fcntl(fd, F_SETFL, updated) }
    }

    /// The local address (`getsockname`).
    public func localAddress() throws(SystemError) -> SocketAddress {
        try SocketAddress.query("getsockname", descriptor: descriptor.rawValue) { getsockname($0, $1, $2) }
    }

    /// The peer's address (`getpeername`).
    public func remoteAddress() throws(SystemError) -> SocketAddress {
        try SocketAddress.query("getpeername", descriptor: descriptor.rawValue) { getpeername($0, $1, $2) }
    }
}
