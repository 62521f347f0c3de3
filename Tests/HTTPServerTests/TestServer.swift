import EventLoop
import Foundation
import HTTPServer
import HTTPTypes
import Logging
import Synchronization
import TLSEngine
import TLSTestSupport

/// Answers by path: `/echo` echoes the body, `/slow` sleeps 300 ms (blocking its loop, as a slow handler
/// would), `/deferred` answers 200 ms later from another thread (the body names its number in order of
/// arrival), `/missing` is a 404; anything else says which protocol, method and path it saw.
final class TestHandler: HTTPRequestHandler {
    let slowRequestsStarted = Atomic<Int>(0)
    let deferredRequestsStarted = Atomic<Int>(0)

    func handle(_ request: HTTPServerRequest) -> HTTPHandlerAnswer {
        switch request.head.path {
        case "/echo":
            return .now(HTTPServerResponse(status: .ok, contentType: "application/octet-stream", body: Array(request.body)))
        case "/slow":
            slowRequestsStarted.add(1, ordering: .relaxed)
            usleep(300_000)
            return .now(HTTPServerResponse(status: .ok, contentType: "text/plain", body: Array("slow".utf8)))
        case "/deferred":
            let number = deferredRequestsStarted.add(1, ordering: .relaxed).newValue
            return .later { responder in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) {
                    responder.respond(HTTPServerResponse(status: .ok, contentType: "text/plain", body: Array("deferred \(number)".utf8)))
                }
            }
        case "/missing":
            return .now(HTTPServerResponse(status: .notFound, contentType: "text/plain", body: Array("not found".utf8)))
        default:
            let text = "\(request.protocolVersion.rawValue) \(request.head.method.rawValue) \(request.head.path ?? "")"
            return .now(HTTPServerResponse(status: .ok, contentType: "text/plain", body: Array(text.utf8)))
        }
    }
}

/// Counts what the server reports.
final class RecordingObserver: HTTPServerObserver {
    struct Counts {
        var opened = 0, closed = 0, rejected = 0
        var handshakeFailures: [String] = []
        var rejectedRequests: [(status: Int, version: HTTPProtocolVersion)] = []
        var handled: [(path: String, status: Int, version: HTTPProtocolVersion)] = []
    }

    let counts = Mutex(Counts())

    func connectionOpened() { counts.withLock { $0.opened += 1 } }
    func connectionClosed() { counts.withLock { $0.closed += 1 } }
    func connectionRejected() { counts.withLock { $0.rejected += 1 } }
    func tlsHandshakeFailed(reason: String) { counts.withLock { $0.handshakeFailures.append(reason) } }
    func requestRejected(status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion) {
        counts.withLock { $0.rejectedRequests.append((status.code, protocolVersion)) }
    }
    func requestHandled(path: String, status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion) {
        counts.withLock { $0.handled.append((path, status.code, protocolVersion)) }
    }

    /// Waits up to `timeout` for `condition` to hold.
    func wait(timeout: Duration = .seconds(5), until condition: (Counts) -> Bool) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if counts.withLock({ condition($0) }) { return true }
            usleep(5_000)
        }
        return counts.withLock { condition($0) }
    }
}

/// A server on 127.0.0.1 with a port chosen by the kernel, its own loops, `TestHandler` and a
/// `RecordingObserver`; TLS with the test certificates unless `tls` is false.
final class TestServer: Sendable {
    let certificates: TestCertificates
    let group: EventLoopGroup
    let server: HTTPServer
    let handler = TestHandler()
    let observer = RecordingObserver()

    init(tls: Bool = true, threads: Int = 2, configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        certificates = try TestCertificates.shared()
        var configuration = tls
            ? HTTPServerConfiguration.makeWebhookConfiguration(host: "127.0.0.1", port: 0, tls: .makeServerConfiguration(
                certificateChainFile: certificates.serverChainFile, privateKeyFile: certificates.serverKeyFile))
            : HTTPServerConfiguration.makeMetricsConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        group = try EventLoopGroup(threadCount: threads)
        server = HTTPServer(configuration: configuration, group: group, handler: handler, logger: Self.logger, observer: observer)
        do {
            try server.start()
        } catch {
            group.shutdownGracefully()
            throw error
        }
    }

    var port: Int { server.port }

    /// `https://localhost:PORT/path` or `http://127.0.0.1:PORT/path`.
    func url(_ path: String) -> String {
        server.configuration.tls == nil ? "http://127.0.0.1:\(port)\(path)" : "https://localhost:\(port)\(path)"
    }

    /// `curl` with `--resolve` pinning localhost to 127.0.0.1.
    func curl(_ arguments: [String]) throws -> ExternalTool.Output {
        try ExternalTool.curl(["--resolve", "localhost:\(port):127.0.0.1"] + arguments, certificates: certificates)
    }

    /// Shuts the server down and stops its loops.
    func stop(grace: Duration = .seconds(2)) {
        server.shutdown(grace: grace)
        group.shutdownGracefully()
    }

    /// Silent unless `HTTP_SERVER_TEST_LOG` is set, then debug to stderr.
    static let logger: Logger = {
        guard ProcessInfo.processInfo.environment["HTTP_SERVER_TEST_LOG"] != nil else {
            return Logger(label: "http-server-test") { _ in SwiftLogNoOpLogHandler() }
        }
        var logger = Logger(label: "http-server-test") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .debug
        return logger
    }()
}
