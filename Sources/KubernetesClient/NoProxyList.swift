import Foundation

/// Hosts reached directly although a proxy is set: `NO_PROXY` as Go's `httpproxy` (and so
/// client-go and kubectl) reads it.
///
/// A comma-separated list; each entry is `*` (no proxy at all), an IP address, a CIDR block, or a
/// host name, any of them optionally with `:port`. `example.com` matches that host and its
/// subdomains, `.example.com` and `*.example.com` only its subdomains. `localhost` and loopback
/// addresses never go through a proxy.
struct NoProxyList: Equatable {
    private enum Entry: Equatable {
        case network(address: [UInt8], prefixLength: Int)
        case address([UInt8], port: Int?)
        /// `suffix` starts with a dot; `includesBareHost` also matches the host without it.
        case domain(suffix: String, includesBareHost: Bool, port: Int?)
    }

    private var matchesAll = false
    private var entries: [Entry] = []

    init(_ list: String) {
        for raw in list.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            if entry == "*" {
                matchesAll = true
                continue
            }
            if let slash = entry.firstIndex(of: "/"),
                let address = Self.address(String(entry[..<slash])),
                let prefixLength = Int(entry[entry.index(after: slash)...]), (0...address.count * 8).contains(prefixLength)
            {
                entries.append(.network(address: address, prefixLength: prefixLength))
                continue
            }
            var host = entry
            var port: Int?
            if let address = Self.address(entry) {
                entries.append(.address(address, port: nil))
                continue
            }
            if let colon = entry.lastIndex(of: ":"), let number = Int(entry[entry.index(after: colon)...]) {
                host = String(entry[..<colon])
                port = number
                if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            }
            if let address = Self.address(host) {
                entries.append(.address(address, port: port))
                continue
            }
            if host.hasPrefix("*") { host.removeFirst() }
            if host.isEmpty { continue }
            let includesBareHost = !host.hasPrefix(".")
            entries.append(.domain(suffix: includesBareHost ? "." + host : host, includesBareHost: includesBareHost, port: port))
        }
    }

    /// Whether `host:port` is reached without the proxy.
    func bypassesProxy(host: String, port: Int) -> Bool {
        let host = host.lowercased()
        let address = Self.address(host)
        if host == "localhost" || address.map(Self.isLoopback) == true || matchesAll { return true }
        return entries.contains { entry in
            switch entry {
            case .network(let network, let prefixLength):
                guard let address, address.count == network.count else { return false }
                return Self.prefix(of: address, prefixLength) == Self.prefix(of: network, prefixLength)
            case .address(let entryAddress, let entryPort):
                return address == entryAddress && (entryPort == nil || entryPort == port)
            case .domain(let suffix, let includesBareHost, let entryPort):
                let matches = host.hasSuffix(suffix) || (includesBareHost && host == suffix.dropFirst())
                return matches && (entryPort == nil || entryPort == port)
            }
        }
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address literal.
    private static func address(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return Array(bytes[..<4]) }
        if inet_pton(AF_INET6, text, &bytes) == 1 { return bytes }
        return nil
    }

    private static func isLoopback(_ address: [UInt8]) -> Bool {
        address.count == 4 ? address[0] == 127 : address == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The first `length` bits of `address`, the rest zeroed.
    private static func prefix(of address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = min(max(length - index * 8, 0), 8)
            return bits == 8 ? byte : byte & ~(0xFF >> UInt8(bits))
        }
    }
}
