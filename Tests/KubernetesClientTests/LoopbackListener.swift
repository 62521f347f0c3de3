import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on an ephemeral 127.0.0.1 port for the test servers, each accepted
/// connection served on a thread of its own.
struct LoopbackListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { [descriptor] in
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// `127.0.0.1:port`.
    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Accepts connections on a background thread until `stop()`, calling `serve` on a new thread for each.
    func acceptConnections(_ serve: @escaping @Sendable (Int32) -> Void) {
        Thread { [descriptor] in
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else {
                    close(descriptor)
                    return
                }
                Thread { serve(connection) }.start()
            }
        }.start()
    }

    /// Stops accepting; the accepting thread closes the socket.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
