/// The parts of an `http` or `https` URL a transfer needs.
struct TransferURL: Equatable {
    /// Whether the scheme is `https`.
    var isTLS: Bool
    /// Host name or IP address (an IPv6 address without its brackets).
    var host: String
    var port: Int
    /// Path and query, starting with `/`.
    var target: String

    /// Parses `scheme://host[:port][/path][?query]`; the port defaults to 80 or 443.
    init(parsing url: String) throws(KubernetesClientError) {
        let invalid = KubernetesClientError.transport(call: "URL", code: 0, message: "cannot use \(url): expected http(s)://host[:port]/path")
        let lowercased = url.lowercased()
        if lowercased.hasPrefix("https://") {
            isTLS = true
        } else if lowercased.hasPrefix("http://") {
            isTLS = false
        } else {
            throw invalid
        }
        let rest = url.dropFirst(isTLS ? 8 : 7)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        target = path.hasPrefix("/") ? String(path) : "/" + path
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty, !host.contains("@") else { throw invalid }
        if let portText {
            guard let port = Int(portText), (1...65_535).contains(port) else { throw invalid }
            self.port = port
        } else {
            port = isTLS ? 443 : 80
        }
    }

    /// `host:port` as the Host field and a CONNECT target spell it (brackets around IPv6).
    var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
