import Synchronization

/// Idle keep-alive connections to the API server, reused by later transfers so short calls skip
/// the TCP and TLS handshakes.
final class ConnectionPool: Sendable {
    private let idle = Mutex<[ClientConnection]>([])
    private let capacity: Int

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// The most recently used idle connection the server has not closed meanwhile, if any.
    func take() -> ClientConnection? {
        while let connection = idle.withLock({ $0.popLast() }) {
            if connection.isIdle { return connection }
        }
        return nil
    }

    /// Keeps a connection whose last response ended cleanly; beyond capacity it is closed.
    func giveBack(_ connection: ClientConnection) {
        idle.withLock { connections in
            if connections.count < capacity { connections.append(connection) }
        }
    }
}
