internal import Glibc

/// An IPv4 or IPv6 address and TCP port, written as numeric literals.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }

    /// The numeric host, e.g. `"127.0.0.1"` or `"::1"`.
    public let host: String
    /// The TCP port.
    public let port: Int
    /// IPv4 or IPv6.
    public let family: Family

    /// Parses a numeric host; `""` means any IPv4 address (`0.0.0.0`) and `[::1]`-style brackets are accepted.
    /// Throws `SystemError(call: "inet_pton", errno: EINVAL)` for anything that is not an address literal.
    public init(host: String, port: Int) throws(SystemError) {
        guard (0...65_535).contains(port) else { throw SystemError(call: "inet_pton", errno: EINVAL) }
        var literal = host.isEmpty ? "0.0.0.0" : host
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        let family: Family = literal.contains(":") ? .ipv6 : .ipv4
        var probe = sockaddr_in6()
        let parsed = literal.withCString { inet_pton(family == .ipv6 ? AF_INET6 : AF_INET, $0, &probe) }
        guard parsed == 1 else { throw SystemError(call: "inet_pton", errno: EINVAL) }
        self.host = literal
        self.port = port
        self.family = family
    }

    public var description: String { family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with this address as a C `sockaddr`.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> Result) throws(SystemError) -> Result {
        switch family {
        case .ipv4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            _ = host.withCString { inet_pton(AF_INET, $0, &address.sin_addr) }
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) -> Result in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> Result in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            _ = host.withCString { inet_pton(AF_INET6, $0, &address.sin6_addr) }
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) -> Result in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> Result in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// Reads the address `call` (`getsockname` or `getpeername`) reports for `descriptor`.
    static func query(
        _ call: StaticString, descriptor: Int32,
        _ function: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> Int32 in
                try checkedSyscall(call) { function(descriptor, raw, &length) }
            }
        }
        return try SocketAddress(storage: storage)
    }

    private init(storage: sockaddr_storage) throws(SystemError) {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            var raw = address.sin_addr
            inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
            self.port = Int(UInt16(bigEndian: address.sin_port))
            self.family = .ipv4
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            var raw = address.sin6_addr
            inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            self.port = Int(UInt16(bigEndian: address.sin6_port))
            self.family = .ipv6
        default:
            throw SystemError(call: "inet_ntop", errno: EAFNOSUPPORT)
        }
        self.host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
