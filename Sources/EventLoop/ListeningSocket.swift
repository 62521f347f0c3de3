internal import CLinuxShims
internal import Glibc

/// A non-blocking TCP listener bound with `SO_REUSEADDR` (and `SO_REUSEPORT` unless disabled, so every event
/// loop can own a listener on the same port and the kernel spreads connections among them).
///
/// `accept()` throws `EMFILE`/`ENFILE`/`ENOBUFS`/`ENOMEM` like any other error: with a level-triggered loop the
/// caller must then stop polling the listener for a while or it would spin. `Acceptor` does exactly that.
public final class ListeningSocket {
    private var descriptor: FileDescriptor
    /// The bound address; with port 0 it carries the port the kernel chose.
    public let localAddress: SocketAddress

    /// Binds and listens on `host:port` (`""` or `"0.0.0.0"`: any IPv4 address; `"::"`: any address, dual stack).
    public init(host: String, port: Int, reusePort: Bool = true, backlog: Int32 = 1024) throws(SystemError) {
        let requested = try SocketAddress(host: host, port: port)
        let domain = requested.family == .ipv6 ? AF_INET6 : AF_INET
        var descriptor = FileDescriptor(try checkedSyscall("socket") {
            Glibc.socket(domain, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        })
        let fd = descriptor.rawValue
        do throws(SystemError) {
            try setSocketOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if reusePort { try setSocketOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1) }
            _ = try requested.withSockAddr { (pointer, length) throws(SystemError) -> Int32 in
                try checkedSyscall("bind") { bind(fd, pointer, length) }
            }
            _ = try checkedSyscall("listen") { listen(fd, backlog) }
            self.localAddress = try SocketAddress.query("getsockname", descriptor: fd) { getsockname($0, $1, $2) }
        } catch {
            descriptor.close()
            throw error
        }
        self.descriptor = descriptor
    }

    /// The bound port (useful after binding port 0).
    public var port: Int { localAddress.port }

    /// The descriptor, or -1 once closed.
    public var fileDescriptor: Int32 { descriptor.rawValue }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket with `TCP_NODELAY` set.
    /// Connections that died in the backlog or before `TCP_NODELAY` could be set (`ECONNABORTED`, `EPROTO` and the network errors accept(2) says to
    /// treat like `EAGAIN`) are skipped.
    public func accept() throws(SystemError) -> IOResult<Socket> {
        let fd = descriptor.rawValue
        while true {
            do throws(SystemError) {
                switch try syscall("accept4", { CLinuxShims_accept4(fd, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)) }) {
                case .wouldBlock:
                    return .wouldBlock
                case .processed(let accepted):
                    let socket = Socket(adopting: accepted)
                    // Only a connection that already died can refuse TCP_NODELAY: drop it (deinit closes it).
                    guard (try? socket.setNoDelay(true)) != nil else { continue }
                    return .processed(socket)
                }
            } catch where Self.skippableAcceptErrors.contains(error.errno) {
                continue
            }
        }
    }

    /// Stops listening; later calls do nothing.
    public func close() {
        descriptor.close()
    }

    private static let skippableAcceptErrors: Set<Int32> = [
        ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH,
    ]
}
