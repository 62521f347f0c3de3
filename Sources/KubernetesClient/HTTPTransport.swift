import HTTP1
import TLSEngine

/// Sends requests to the API server over HTTP/1.1 (TLS for `https`), one blocking transfer per
/// calling thread, streaming each response body to a sink as it arrives.
///
/// Connections stay open between transfers (keep-alive) in a small pool. A request that fails on a
/// pooled connection before any byte of the response arrived is sent once more on a new connection:
/// the server may have closed the idle connection just as the request left.
final class HTTPTransport: Sendable {
    private let configuration: KubernetesClientConfiguration
    /// The process environment, for `HTTPS_PROXY` and `NO_PROXY`.
    private let environment: [String: String]
    private let pool = ConnectionPool()

    /// Longest response head accepted.
    private static let maxHeadBytes = 65_536
    /// The chunked decoder checks chunk lines and trailers; body sizes are the sinks' to limit.
    private static let chunkLimits = HTTP1ParserLimits(maxHeaderBytes: maxHeadBytes, maxBodyBytes: .max)

    init(configuration: KubernetesClientConfiguration, environment: [String: String]) {
        self.configuration = configuration
        self.environment = environment
    }

    /// Performs `request` and answers the HTTP status, or throws why there is none.
    func perform(
        _ request: TransferRequest, sink: some ResponseSink, cancellation: TransferCancellation
    ) throws(KubernetesClientError) -> Int {
        let url = try TransferURL(parsing: request.url)
        let limit = TransferLimit(timeout: request.timeout, cancellation: cancellation)
        let message = Self.serialize(request, url: url)
        if let pooled = pool.take() {
            var responseStarted = false
            do {
                return try exchange(message, on: pooled, sink: sink, limit: limit, responseStarted: &responseStarted)
            } catch .cancelled {
                throw .cancelled
            } catch where responseStarted {
                throw error
            } catch {
                // Stale keep-alive connection: retried below on a fresh one.
            }
        }
        let connection = try ClientConnection.open(
            to: url, through: try HTTPSProxy.forServer(url, environment: environment), makeTLSContext: makeTLSContext,
            limit: limit.narrowed(to: configuration.connectTimeout))
        var responseStarted = false
        return try exchange(message, on: connection, sink: sink, limit: limit, responseStarted: &responseStarted)
    }

    /// Writes the request, reads the response into `sink`, and pools the connection when it can carry another.
    private func exchange(
        _ message: [UInt8], on connection: ClientConnection, sink: some ResponseSink, limit: TransferLimit,
        responseStarted: inout Bool
    ) throws(KubernetesClientError) -> Int {
        try connection.send(message, limit: limit)
        var buffer: [UInt8] = []
        var head: HTTP1ResponseHead
        repeat {  // 1xx answers are interim: the final one follows
            while true {
                if let (parsed, length) = try Self.parseHead(buffer) {
                    head = parsed
                    buffer.removeFirst(length)
                    break
                }
                guard try connection.receive(into: &buffer, limit: limit) else {
                    throw Self.closedEarly(responseStarted ? "before the end of the response head" : "before answering")
                }
                responseStarted = true
            }
        } while head.status < 200
        let status = head.status
        func deliver(_ bytes: ArraySlice<UInt8>) throws(KubernetesClientError) {
            guard !bytes.isEmpty else { return }
            if let error = bytes.withUnsafeBytes({ sink.receive($0, status: status) }) { throw error }
        }
        switch head.framing {
        case .length(let length):
            var remaining = length
            while true {
                let count = min(remaining, buffer.count)
                try deliver(buffer[..<count])
                buffer.removeFirst(count)
                remaining -= count
                if remaining == 0 { break }
                guard try connection.receive(into: &buffer, limit: limit) else { throw Self.closedEarly("before the end of the body") }
            }
        case .chunked:
            var decoder = HTTP1ChunkedDecoder(limits: Self.chunkLimits, maxTrailerBytes: Self.maxHeadBytes)
            var decoded: [UInt8] = []
            while true {
                let step = buffer.withUnsafeBytes { bytes in
                    Result { () throws(HTTP1ParseError) in try decoder.decode(bytes, into: &decoded) }
                }
                let (consumed, finished) = try step.mapError(Self.malformed).get()
                buffer.removeFirst(consumed)
                try deliver(decoded[...])
                decoded.removeAll(keepingCapacity: true)
                if finished { break }
                guard try connection.receive(into: &buffer, limit: limit) else { throw Self.closedEarly("before the last chunk") }
            }
        case .untilClose:
            repeat {
                try deliver(buffer[...])
                buffer.removeAll(keepingCapacity: true)
            } while try connection.receive(into: &buffer, limit: limit)
        }
        if head.keepAlive, buffer.isEmpty {
            pool.giveBack(connection)
        }
        return status
    }

    /// `METHOD target HTTP/1.1`, Host, the request's headers, Content-Length for a body, then the body.
    private static func serialize(_ request: TransferRequest, url: TransferURL) -> [UInt8] {
        var head = "\(request.body == nil ? "GET" : "POST") \(url.target) HTTP/1.1\r\nHost: \(url.authority)\r\n"
        for header in request.headers {
            head += header + "\r\n"
        }
        if let body = request.body {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + (request.body ?? [])
    }

    /// The response head at the start of `buffer` and its length, nil while incomplete.
    static func parseHead(_ buffer: [UInt8]) throws(KubernetesClientError) -> (HTTP1ResponseHead, Int)? {
        let parsed = buffer.withUnsafeBytes { bytes in
            Result { () throws(HTTP1ParseError) in try HTTP1ResponseHead.parse(bytes, maxBytes: maxHeadBytes) }
        }
        return try parsed.mapError(malformed).get().map { ($0.head, $0.length) }
    }

    private func makeTLSContext() throws(KubernetesClientError) -> TLSClientContext {
        let pem = { (source: KubernetesClientConfiguration.PEMSource?) -> TLSClientConfiguration.PEMSource? in
            switch source {
            case .file(let path)?: .file(path)
            case .bytes(let bytes)?: .bytes(bytes)
            case nil: nil
            }
        }
        do {
            return try TLSClientContext(configuration: TLSClientConfiguration(
                trustedCertificates: pem(configuration.certificateAuthority),
                verifiesServer: !configuration.insecureSkipTLSVerify,
                certificateChain: pem(configuration.clientCertificate),
                privateKey: pem(configuration.clientKey)))
        } catch {
            throw .tls(error)
        }
    }

    private static func closedEarly(_ when: String) -> KubernetesClientError {
        .transport(call: "recv", code: 0, message: "the API server closed the connection \(when)")
    }

    private static func malformed(_ error: HTTP1ParseError) -> KubernetesClientError {
        .transport(call: "HTTP/1.1", code: 0, message: "malformed response from the API server: \(error.reason)")
    }
}
