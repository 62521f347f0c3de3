import TLSEngine

/// One connection to the API server: TCP, and TLS over it for `https`. Used by one transfer at a
/// time; `ConnectionPool` keeps it between transfers, which is why it may cross threads.
final class ClientConnection: @unchecked Sendable {
    private let socket: ClientSocket
    private let tls: TLSConnection?
    /// Ciphertext read from the socket, or to be written to it.
    private var ciphertext: [UInt8] = []

    private init(socket: ClientSocket, tls: TLSConnection?) {
        self.socket = socket
        self.tls = tls
    }

    /// Connects to `url`'s host, or through a CONNECT tunnel of `proxy`, and for `https` completes
    /// the TLS handshake with a session from `makeTLSContext`; all within `limit`.
    static func open(
        to url: TransferURL,
        through proxy: HTTPSProxy?,
        makeTLSContext: () throws(KubernetesClientError) -> TLSClientContext,
        limit: TransferLimit
    ) throws(KubernetesClientError) -> ClientConnection {
        let hop = proxy?.address ?? url
        let socket = try ClientSocket.connect(host: hop.host, port: hop.port, limit: limit)
        if let proxy {
            try openTunnel(on: socket, to: url, through: proxy, limit: limit)
        }
        guard url.isTLS else { return ClientConnection(socket: socket, tls: nil) }
        let context = try makeTLSContext()
        let tls: TLSConnection
        do {
            tls = try TLSConnection(client: context, serverName: url.host)
        } catch {
            throw .tls(error)
        }
        let connection = ClientConnection(socket: socket, tls: tls)
        var plaintext: [UInt8] = []
        while true {
            if case .failed(let error) = tls.readPlaintext(into: &plaintext) {
                try? connection.flushCiphertext(limit: limit)  // the alert, so the server sees why
                throw .tls(error)
            }
            try connection.flushCiphertext(limit: limit)
            if tls.isHandshakeComplete { return connection }
            guard try connection.receiveCiphertext(limit: limit) else {
                throw .transport(call: "recv", code: 0, message: "the API server closed the connection during the TLS handshake")
            }
        }
    }

    /// Asks the proxy for a tunnel to `url` (RFC 9110 §9.3.6) and waits for its 2xx answer.
    private static func openTunnel(
        on socket: ClientSocket, to url: TransferURL, through proxy: HTTPSProxy, limit: TransferLimit
    ) throws(KubernetesClientError) {
        var request = "CONNECT \(url.authority) HTTP/1.1\r\nHost: \(url.authority)\r\n"
        if let authorization = proxy.authorization {
            request += "Proxy-Authorization: \(authorization)\r\n"
        }
        try socket.send(Array((request + "\r\n").utf8), limit: limit)
        var buffer: [UInt8] = []
        while true {
            if let (head, length) = try HTTPTransport.parseHead(buffer) {
                guard (200..<300).contains(head.status) else {
                    throw .transport(
                        call: "CONNECT", code: head.status,
                        message: "the proxy \(proxy.address.authority) answered \(head.status) to CONNECT \(url.authority)")
                }
                // The server speaks first only after our ClientHello: nothing may follow the head.
                guard buffer.count == length else {
                    throw .transport(call: "CONNECT", code: 0, message: "the proxy \(proxy.address.authority) sent bytes after its answer")
                }
                return
            }
            guard try socket.receive(into: &buffer, limit: limit) else {
                throw .transport(call: "CONNECT", code: 0, message: "the proxy \(proxy.address.authority) closed the connection")
            }
        }
    }

    /// Sends `bytes` (encrypted for `https`).
    func send(_ bytes: [UInt8], limit: TransferLimit) throws(KubernetesClientError) {
        guard let tls else { return try socket.send(bytes, limit: limit) }
        do {
            try bytes.withUnsafeBytes { try tls.writePlaintext($0) }
        } catch let error as TLSError {
            throw .tls(error)
        } catch {
            throw .transport(call: "SSL_write_ex", code: 0, message: "\(error)")
        }
        try flushCiphertext(limit: limit)
    }

    /// Appends the plaintext that arrives next (waiting for some) to `buffer`; false once the server
    /// closed the connection (TCP end of stream or TLS close_notify).
    func receive(into buffer: inout [UInt8], limit: TransferLimit) throws(KubernetesClientError) -> Bool {
        guard let tls else { return try socket.receive(into: &buffer, limit: limit) }
        let before = buffer.count
        while true {
            let result = tls.readPlaintext(into: &buffer)
            // Reading may answer (key updates, alerts): send that before waiting.
            try flushCiphertext(limit: limit)
            switch result {
            case .failed(let error): throw .tls(error)
            case .closed: return buffer.count > before
            case .ok: if buffer.count > before { return true }
            }
            guard try receiveCiphertext(limit: limit) else { return false }
        }
    }

    /// Whether the connection can carry another request (see `ClientSocket.isIdle`).
    var isIdle: Bool { socket.isIdle }

    private func flushCiphertext(limit: TransferLimit) throws(KubernetesClientError) {
        guard let tls, tls.hasPendingCiphertext else { return }
        ciphertext.removeAll(keepingCapacity: true)
        tls.takeCiphertext(into: &ciphertext)
        try socket.send(ciphertext, limit: limit)
        ciphertext.removeAll(keepingCapacity: true)
    }

    /// Hands the ciphertext that arrives next to the TLS session; false at end of stream.
    private func receiveCiphertext(limit: TransferLimit) throws(KubernetesClientError) -> Bool {
        guard try socket.receive(into: &ciphertext, limit: limit) else { return false }
        ciphertext.withUnsafeBytes { tls?.receive(ciphertext: $0) }
        ciphertext.removeAll(keepingCapacity: true)
        return true
    }
}

extension KubernetesClientError {
    /// A TLS failure as a transport error: the OpenSSL call, and the reason with OpenSSL's errors
    /// (for a rejected server certificate, why it was rejected).
    static func tls(_ error: TLSError) -> KubernetesClientError {
        .transport(call: error.call, code: 0, message: error.description)
    }
}
