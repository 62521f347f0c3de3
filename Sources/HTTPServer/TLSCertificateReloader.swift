public import EventLoop
import Glibc
import Logging
public import TLSEngine

/// Rebuilds a server's `TLSContext` when its certificate, key or client CA files change, and hands the new
/// context to `HTTPServer.reloadTLS`. New connections get the new certificate; open ones keep theirs. When a
/// rebuild fails (a half-written pair, an expired certificate) the server keeps its current context.
public final class TLSCertificateReloader: Sendable {
    private let server: HTTPServer
    private let configuration: TLSConfiguration
    private let watcherConfiguration: FileWatcherConfiguration
    private let onReload: @Sendable (Result<TLSContext, any Error>) -> Void
    private let watcher: LoopBound<WatcherSlot>

    private final class WatcherSlot {
        var watcher: FileWatcher?
    }

    /// Watches the files of `server`'s TLS configuration from `loop`; `onReload` reports each attempt (for
    /// logs and metrics). `server` must have a TLS configuration.
    public init(
        server: HTTPServer, loop: EventLoop, watcherConfiguration: FileWatcherConfiguration = FileWatcherConfiguration(),
        onReload: @escaping @Sendable (Result<TLSContext, any Error>) -> Void
    ) {
        guard let configuration = server.configuration.effectiveTLSConfiguration else {
            preconditionFailure("TLSCertificateReloader needs a server with a TLS configuration")
        }
        self.server = server
        self.configuration = configuration
        self.watcherConfiguration = watcherConfiguration
        self.onReload = onReload
        self.watcher = LoopBound(WatcherSlot(), on: loop)
    }

    /// The files watched: certificate chain, key and, when set, the client CA bundle.
    public var paths: [String] {
        [configuration.certificateChainFile, configuration.privateKeyFile] + (configuration.clientCAFile.map { [$0] } ?? [])
    }

    /// Starts watching (inotify plus polling, per `watcherConfiguration`).
    public func start() throws {
        let (paths, watcher, configuration) = (paths, watcher, watcherConfiguration)
        try watcher.loop.runBlocking { [self] in
            watcher.value.watcher = try FileWatcher(paths: paths, loop: watcher.loop, configuration: configuration) { [self] in
                _ = reload()
            }
        }
    }

    /// Stops watching.
    public func stop() {
        let watcher = watcher
        _ = try? watcher.loop.runBlocking {
            watcher.value.watcher?.stop()
            watcher.value.watcher = nil
        }
    }

    /// Builds a context from the files as they are now; on success installs it in the server. Reports the
    /// outcome to `onReload` and returns it.
    @discardableResult
    public func reload() -> Result<TLSContext, any Error> {
        let result = Result { () throws -> TLSContext in
            let context = try TLSContext(configuration: configuration)
            let now = Double(time(nil))
            guard context.certificateNotAfter > now else {
                throw TLSCertificateReloadError.certificateExpired(serial: context.certificateSerial, notAfter: context.certificateNotAfter)
            }
            return context
        }
        if case .success(let context) = result {
            server.reloadTLS(context)
        }
        onReload(result)
        return result
    }
}
