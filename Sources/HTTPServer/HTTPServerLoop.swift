import EventLoop
import Logging
import TLSEngine

/// One loop's share of a server: its `SO_REUSEPORT` listener and acceptor, and the connections it accepted.
/// Lives on its loop; every method runs on the loop thread.
final class HTTPServerLoop {
    let loop: EventLoop
    let environment: HTTPServerEnvironment
    private var acceptor: Acceptor?
    private var connections: [Int32: HTTPConnection] = [:]
    private var isShuttingDown = false

    init(loop: EventLoop, environment: HTTPServerEnvironment) {
        self.loop = loop
        self.environment = environment
    }

    /// Binds `port` (0: any) with `SO_REUSEPORT`, starts accepting and answers the bound port.
    func startAccepting(port: Int) throws -> Int {
        let listener = try ListeningSocket(host: environment.configuration.host, port: port)
        let acceptor = Acceptor(
            listener: listener, loop: loop,
            onError: { [environment] error in
                environment.logger.warning("accept failed", metadata: ["error": "\(error)"])
            },
            onAccept: { [unowned self] socket in accept(socket) })
        try acceptor.start()
        self.acceptor = acceptor
        return acceptor.port
    }

    /// Stops accepting and closes the listener; accepted connections carry on.
    func stopAccepting() {
        acceptor?.stop()
        acceptor = nil
    }

    /// Asks every connection to finish what it is doing and close (see `HTTPConnection.beginShutdown`).
    func beginShutdown() {
        isShuttingDown = true
        stopAccepting()
        for connection in Array(connections.values) {
            connection.beginShutdown()
        }
    }

    /// Closes every connection at once.
    func closeAll() {
        for connection in Array(connections.values) {
            connection.close()
        }
    }

    /// Called by a connection once it has closed its socket.
    func connectionDidClose(_ connection: HTTPConnection) {
        connections[connection.fileDescriptor] = nil
        environment.openConnections.wrappingSubtract(1, ordering: .relaxed)
        environment.observer?.connectionClosed()
    }

    private func accept(_ socket: Socket) {
        let open = environment.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        guard open <= environment.configuration.maxConnections, !isShuttingDown else {
            environment.openConnections.wrappingSubtract(1, ordering: .relaxed)
            socket.close()
            environment.observer?.connectionRejected()
            return
        }
        let connection: HTTPConnection
        do {
            let tls = try environment.tlsContext.withLock { $0 }.map { try TLSConnection(context: $0) }
            connection = try HTTPConnection(socket: socket, tls: tls, owner: self)
        } catch {
            environment.openConnections.wrappingSubtract(1, ordering: .relaxed)
            environment.logger.warning("cannot set up connection", metadata: ["error": "\(error)"])
            socket.close()
            return
        }
        connections[connection.fileDescriptor] = connection
        environment.observer?.connectionOpened()
    }
}
