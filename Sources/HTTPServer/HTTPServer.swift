public import EventLoop
public import Logging
import Glibc
import Synchronization
public import TLSEngine

/// A TLS (or plain) HTTP/1.1 and HTTP/2 server: one `SO_REUSEPORT` listener per event loop of `group`, each
/// connection served entirely on the loop that accepted it.
public final class HTTPServer: Sendable {
    /// The settings the server was created with.
    public let configuration: HTTPServerConfiguration
    private let environment: HTTPServerEnvironment
    private let loops: [LoopBound<HTTPServerLoop>]
    private let boundPort = Atomic<Int>(0)
    private let lifecycle = Mutex(Lifecycle.idle)

    private enum Lifecycle { case idle, running, stopped }

    /// Creates a server; nothing is bound until `start()`.
    public init(
        configuration: HTTPServerConfiguration, group: EventLoopGroup, handler: some HTTPRequestHandler, logger: Logger,
        observer: (any HTTPServerObserver)? = nil
    ) {
        self.configuration = configuration
        let environment = HTTPServerEnvironment(configuration: configuration, handler: handler, observer: observer, logger: logger)
        self.environment = environment
        self.loops = group.loops.map { LoopBound(HTTPServerLoop(loop: $0, environment: environment), on: $0) }
    }

    /// Builds the TLS context (unless `reloadTLS` already supplied one), binds every loop's listener (the
    /// first one picks the port when it is 0) and starts accepting. Throws `TLSError` or `SystemError`.
    public func start() throws {
        lifecycle.withLock { state in
            precondition(state == .idle, "HTTPServer.start() may be called once")
            state = .running
        }
        if let tls = configuration.effectiveTLSConfiguration, environment.tlsContext.withLock({ $0 == nil }) {
            let context = try TLSContext(configuration: tls)
            environment.tlsContext.withLock { $0 = $0 ?? context }
        }
        var port = configuration.port
        if port != 0 {
            // Every loop binds its own SO_REUSEPORT listener, and the kernel lets another process of the same
            // user join such a group silently. A plain bind first fails with EADDRINUSE when anyone holds the port.
            try ListeningSocket(host: configuration.host, port: port, reusePort: false).close()
        }
        do {
            try environment.largeRequestWorker.start()
            for (index, bound) in loops.enumerated() {
                let requested = port
                let chosen = try bound.loop.runBlocking { try bound.value.startAccepting(port: requested) }
                if index == 0 {
                    port = chosen
                    boundPort.store(chosen, ordering: .releasing)
                }
            }
        } catch {
            stopAccepting()
            environment.largeRequestWorker.stop()
            throw error
        }
        environment.logger.info("listening", metadata: [
            "server.address": "\(configuration.host):\(port)", "server.tls": "\(configuration.tls != nil)",
            "server.http2": "\(configuration.enableHTTP2 && configuration.tls != nil)", "server.loops": "\(loops.count)",
        ])
    }

    /// The bound port (the kernel's choice when the configuration asked for 0); 0 before `start()`.
    public var port: Int {
        boundPort.load(ordering: .acquiring)
    }

    /// Connections open right now, across all loops.
    public var openConnectionCount: Int {
        environment.openConnections.load(ordering: .relaxed)
    }

    /// The context new connections use; nil for a plain listener.
    public var tlsContext: TLSContext? {
        environment.tlsContext.withLock { $0 }
    }

    /// New connections use `context` from now on; open ones keep the context they started with.
    public func reloadTLS(_ context: TLSContext) {
        environment.tlsContext.withLock { $0 = context }
    }

    /// Stops accepting on every loop and closes the listeners; open connections carry on.
    public func stopAccepting() {
        for bound in loops {
            _ = try? bound.loop.runBlocking { bound.value.stopAccepting() }
        }
    }

    /// Stops accepting, lets connections finish (idle HTTP/1.1 ones close at once, busy ones after their
    /// response with `Connection: close`, HTTP/2 ones after GOAWAY and their open streams), waits until all
    /// are closed or `grace` has passed, then closes the rest. Blocks; not from an event loop thread.
    public func shutdown(grace: Duration) {
        let proceed = lifecycle.withLock { state in
            defer { state = .stopped }
            return state != .stopped
        }
        guard proceed else { return }
        precondition(!loops.contains { $0.loop.inEventLoop }, "HTTPServer.shutdown(grace:) would block its own loop")
        for bound in loops {
            _ = try? bound.loop.runBlocking { bound.value.beginShutdown() }
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while openConnectionCount > 0, clock.now < deadline {
            usleep(5_000)
        }
        let remaining = openConnectionCount
        for bound in loops {
            _ = try? bound.loop.runBlocking { bound.value.closeAll() }
        }
        environment.largeRequestWorker.stop()
        environment.logger.info("server stopped", metadata: ["server.forcedCloses": "\(remaining)"])
    }
}
