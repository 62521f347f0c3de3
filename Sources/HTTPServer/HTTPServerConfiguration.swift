public import HTTP2
public import TLSEngine

/// Where and how an `HTTPServer` listens, and the limits it enforces on every connection.
public struct HTTPServerConfiguration: Sendable {
    /// Numeric address to bind (`"0.0.0.0"`, `"::"`, `"127.0.0.1"`).
    public var host: String
    /// Port to bind; 0 lets the kernel choose (read it back from `HTTPServer.port`).
    public var port: Int
    /// TLS settings; nil serves plain HTTP/1.1.
    public var tls: TLSConfiguration?
    /// Whether ALPN offers `h2` (TLS only; a plain listener speaks HTTP/1.1 only).
    public var enableHTTP2: Bool
    /// Largest request body; beyond it: 413.
    public var maxRequestBodyBytes = 8 << 20
    /// Largest request line plus header block; beyond it: 431.
    public var maxHeaderBytes = 64 << 10
    /// Time a client has to finish a request head it started; then 408 and close.
    public var headerReadTimeout: Duration = .seconds(10)
    /// Time a client has to send a request's body once its head arrived; then 408 and close. Bounds how
    /// long a connection can hold a body buffer of up to `maxRequestBodyBytes`.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// Time a connection may stay silent between requests (above kube-apiserver's 90 s).
    public var idleTimeout: Duration = .seconds(120)
    /// Time a client has to complete the TLS handshake.
    public var tlsHandshakeTimeout: Duration = .seconds(10)
    /// How long a connection closed after an error response keeps draining input, so the response is not
    /// lost to a reset.
    public var lingerTimeout: Duration = .seconds(2)
    /// Open connections across all loops; a connection over it is closed at once.
    public var maxConnections = 4096
    /// Unsent output per connection beyond which the server stops reading from it (backpressure).
    public var maxBufferedOutputBytes = 1 << 20
    /// The process-wide budget for memory clients make the server hold (request data being read, unsent
    /// output, per-connection TLS and HTTP/2 state); share one instance between servers. Nil: unbounded.
    public var memoryBudget: MemoryBudget?
    /// HTTP/2 limits; its body and header limits are replaced by `maxRequestBodyBytes` and `maxHeaderBytes`.
    public var http2: HTTP2Configuration

    /// A configuration with the default limits.
    public init(host: String, port: Int, tls: TLSConfiguration?, enableHTTP2: Bool, http2: HTTP2Configuration = HTTP2Configuration()) {
        self.host = host
        self.port = port
        self.tls = tls
        self.enableHTTP2 = enableHTTP2
        self.http2 = http2
    }

    /// The webhook listener: TLS, ALPN `h2` and `http/1.1`.
    public static func makeWebhookConfiguration(host: String = "0.0.0.0", port: Int, tls: TLSConfiguration) -> HTTPServerConfiguration {
        HTTPServerConfiguration(host: host, port: port, tls: tls, enableHTTP2: true)
    }

    /// The metrics listener: plain HTTP/1.1.
    public static func makeMetricsConfiguration(host: String = "0.0.0.0", port: Int) -> HTTPServerConfiguration {
        HTTPServerConfiguration(host: host, port: port, tls: nil, enableHTTP2: false)
    }

    /// `tls` with the ALPN list this listener offers (`h2` only when HTTP/2 is enabled); contexts are built from it.
    public var effectiveTLSConfiguration: TLSConfiguration? {
        guard var tls else { return nil }
        tls.alpnProtocols = enableHTTP2 ? ["h2", "http/1.1"] : ["http/1.1"]
        return tls
    }

    /// `http2` with the common body and header limits applied.
    var effectiveHTTP2Configuration: HTTP2Configuration {
        var http2 = http2
        http2.maxRequestBodyBytes = maxRequestBodyBytes
        http2.maxHeaderListBytes = maxHeaderBytes
        return http2
    }
}
