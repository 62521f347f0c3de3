import HTTP1
import HTTP2
import Logging
import Synchronization
import TLSEngine

/// What every loop and connection of one server shares: settings, handler, observer, logger, the global
/// connection count and the current TLS context.
///
/// Maintainers' note: the hot path (reading, parsing, handling, writing) reads only immutable fields. The
/// atomic is touched once per accepted or closed connection and the mutex once per accepted connection.
final class HTTPServerEnvironment: Sendable {
    let configuration: HTTPServerConfiguration
    let http1Limits: HTTP1ParserLimits
    let http2Configuration: HTTP2Configuration
    let handler: any HTTPRequestHandler
    let observer: (any HTTPServerObserver)?
    let logger: Logger
    /// The memory budget connections charge; nil: unbounded.
    let memoryBudget: MemoryBudget?
    /// Connections open across all loops.
    let openConnections = Atomic<Int>(0)
    /// The context new TLS connections use; nil for a plain listener (or before `start()`).
    let tlsContext = Mutex<TLSContext?>(nil)
    /// Where requests with large bodies are handled, one at a time, instead of on their loop.
    let largeRequestWorker = LargeRequestWorker()

    /// Timeouts in nanoseconds, as the loop's clock counts.
    let handshakeTimeout: UInt64
    let headerReadTimeout: UInt64
    let bodyReadTimeout: UInt64
    let idleTimeout: UInt64
    let lingerTimeout: UInt64

    init(configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler, observer: (any HTTPServerObserver)?, logger: Logger) {
        self.configuration = configuration
        self.http1Limits = HTTP1ParserLimits(maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxRequestBodyBytes)
        self.http2Configuration = configuration.effectiveHTTP2Configuration
        self.handler = handler
        self.observer = observer
        self.logger = logger
        self.memoryBudget = configuration.memoryBudget
        self.handshakeTimeout = configuration.tlsHandshakeTimeout.clampedNanoseconds
        self.headerReadTimeout = configuration.headerReadTimeout.clampedNanoseconds
        self.bodyReadTimeout = configuration.bodyReadTimeout.clampedNanoseconds
        self.idleTimeout = configuration.idleTimeout.clampedNanoseconds
        self.lingerTimeout = configuration.lingerTimeout.clampedNanoseconds
    }
}
