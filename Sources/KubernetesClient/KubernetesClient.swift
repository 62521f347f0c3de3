import Foundation
import Logging

/// A small Kubernetes API client over HTTP/1.1 (`HTTPTransport`): GET, LIST, POST and WATCH.
///
/// Every transfer blocks, so each runs on a thread of its own (one per watch, one per short
/// call) and is bridged to async code; cancelling the calling task stops the transfer. Idle
/// connections are pooled and reused. `https` requests go through the proxy in `HTTPS_PROXY`
/// unless `NO_PROXY` exempts the server (`HTTPSProxy`).
public final class KubernetesClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: KubernetesClientConfiguration
    let logger: Logger
    private let transport: HTTPTransport
    private let tokens: BearerTokenProvider

    /// Creates a client; nothing is sent until the first call. `environment` supplies
    /// `HTTPS_PROXY` and `NO_PROXY`.
    public init(
        configuration: KubernetesClientConfiguration,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.configuration = configuration
        self.logger = logger
        transport = HTTPTransport(configuration: configuration, environment: environment)
        tokens = BearerTokenProvider(source: configuration.bearerToken, refreshInterval: configuration.tokenRefreshInterval)
    }

    /// GETs `path` (with any query) and answers the status and body, whatever the status.
    public func get(path: String) async throws -> KubernetesResponse {
        try await send(path: path, body: nil)
    }

    /// POSTs a JSON body to `path` and answers the status and body, whatever the status.
    public func post(path: String, body: [UInt8]) async throws -> KubernetesResponse {
        try await send(path: path, body: body)
    }

    /// LISTs a collection; a non-2xx answer throws `KubernetesClientError.status`.
    public func list<Object: KubernetesObject>(
        _ type: Object.Type = Object.self,
        path: String
    ) async throws -> KubernetesObjectList<Object> {
        let response = try await get(path: path)
        guard (200..<300).contains(response.status) else {
            throw KubernetesClientError.status(.fromErrorBody(response.body, httpStatus: response.status))
        }
        do {
            return try JSONDecoder().decode(KubernetesObjectList<Object>.self, from: Data(response.body))
        } catch {
            throw KubernetesClientError.decoding(what: "list of \(Object.self)", reason: "\(error)")
        }
    }

    private func send(path: String, body: [UInt8]?) async throws -> KubernetesResponse {
        let cancellation = TransferCancellation()
        let limit = configuration.maximumResponseBytes
        let timeout = configuration.requestTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                Self.startThread(name: "kube-request") {
                    continuation.resume(with: Result { () throws(KubernetesClientError) in
                        let (status, collector) = try self.perform(
                            path: path, body: body, timeout: timeout, cancellation: cancellation
                        ) { ResponseBodyCollector(limit: limit) }
                        return KubernetesResponse(status: status, body: collector.body)
                    })
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Runs one request (a POST when it has a body) on the calling thread; after a 401 it re-reads
    /// the token file and retries once.
    func perform<Sink: ResponseSink>(
        path: String,
        body: [UInt8]?,
        timeout: Duration,
        cancellation: TransferCancellation,
        makeSink: () -> Sink
    ) throws(KubernetesClientError) -> (status: Int, sink: Sink) {
        var retried = false
        while true {
            var headers = ["Accept: application/json", "User-Agent: eci-profile"]
            if let token = try tokens.token() {
                headers.append("Authorization: Bearer \(token)")
            }
            if body != nil {
                headers.append("Content-Type: application/json")
            }
            let request = TransferRequest(url: url(for: path), headers: headers, body: body, timeout: timeout)
            let sink = makeSink()
            let status = try transport.perform(request, sink: sink, cancellation: cancellation)
            if status == 401, !retried, tokens.isRefreshable {
                logger.info("API server answered 401; re-reading the token", metadata: ["kubernetes.path": "\(path)"])
                tokens.invalidate()
                retried = true
                continue
            }
            return (status, sink)
        }
    }

    private func url(for path: String) -> String {
        var server = configuration.server
        while server.hasSuffix("/") { server.removeLast() }
        return server + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Starts a detached thread for one blocking transfer.
    static func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
