import Foundation

/// The proxy `https` requests tunnel through (HTTP CONNECT): `HTTPS_PROXY` (or `https_proxy`)
/// unless `NO_PROXY` (or `no_proxy`) exempts the API server, read as client-go reads them.
///
/// Only `http://` proxies are supported (a value without a scheme is one); `user:password@` in the
/// proxy URL becomes a Basic `Proxy-Authorization`. `http` API servers are always reached directly.
struct HTTPSProxy: Sendable, Equatable {
    /// Where the proxy listens.
    var address: TransferURL
    /// `Basic …` when the proxy URL carries credentials.
    var authorization: String?

    /// The proxy for `url` under `environment`, nil to connect directly.
    static func forServer(
        _ url: TransferURL, environment: [String: String]
    ) throws(KubernetesClientError) -> HTTPSProxy? {
        let value = { (name: String) in
            [name.uppercased(), name].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        guard url.isTLS, let proxy = value("https_proxy") else { return nil }
        if NoProxyList(value("no_proxy") ?? "").bypassesProxy(host: url.host, port: url.port) { return nil }
        return try HTTPSProxy(parsing: proxy)
    }

    init(address: TransferURL, authorization: String?) {
        self.address = address
        self.authorization = authorization
    }

    private init(parsing proxy: String) throws(KubernetesClientError) {
        var authorization: String?
        var text = proxy.contains("://") ? proxy : "http://" + proxy
        guard text.lowercased().hasPrefix("http://") else {
            throw .transport(call: "HTTPS_PROXY", code: 0, message: "cannot use the proxy \(proxy): only http:// proxies are supported")
        }
        let authorityStart = text.index(text.startIndex, offsetBy: 7)
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
            let credentials = String(text[authorityStart..<at])
            let decoded = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.removingPercentEncoding ?? String($0) }.joined(separator: ":")
            authorization = "Basic " + Data(decoded.utf8).base64EncodedString()
            text.removeSubrange(authorityStart...at)
        }
        do {
            self.init(address: try TransferURL(parsing: text), authorization: authorization)
        } catch {
            throw .transport(call: "HTTPS_PROXY", code: 0, message: "cannot use the proxy \(proxy): expected http://host[:port]")
        }
    }
}
