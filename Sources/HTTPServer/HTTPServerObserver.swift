public import HTTPTypes

/// Receives connection and request events (for metrics); called on event loop threads, so it must not block.
/// Every method has an empty default implementation.
///
/// A class: connections reach it twice per request, and each use of a struct in the existential
/// copied and destroyed it through value witnesses, ~0.25k instructions per request (callgrind).
public protocol HTTPServerObserver: AnyObject, Sendable {
    /// A connection was accepted.
    func connectionOpened()
    /// An accepted connection was closed.
    func connectionClosed()
    /// A connection was closed at once because `maxConnections` were open (or the server is shutting down).
    func connectionRejected()
    /// A TLS handshake failed or timed out.
    func tlsHandshakeFailed(reason: String)
    /// The transport answered a request itself (400, 408, 413, 431, ...), without calling the handler.
    func requestRejected(status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion)
    /// The handler answered a request. (No duration: the one observer did not use it, and measuring it
    /// took two clock reads per request.)
    func requestHandled(path: String, status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion)
    /// A connection stopped reading because the memory budget could not take its next read.
    func memoryBudgetRefused()
    /// A connection holding budget for a slow request was shed (503 and close) to make room.
    func connectionShed()
}

extension HTTPServerObserver {
    public func connectionOpened() {}
    public func connectionClosed() {}
    public func connectionRejected() {}
    public func tlsHandshakeFailed(reason: String) {}
    public func requestRejected(status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion) {}
    public func requestHandled(path: String, status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion) {}
    public func memoryBudgetRefused() {}
    public func connectionShed() {}
}
