import EventLoop
import Glibc
import Synchronization
import Testing

/// A level-triggered echo server for tests: reads while it has nothing to send, and while a write is
/// incomplete it switches interest to `.write` only (backpressure), switching back once the data is out.
final class EchoServer: Sendable {
    /// The port the server listens on.
    let port: Int
    private let switches: SwitchCounter

    /// How many times a connection switched to write interest because the send buffer was full.
    var writeInterestSwitches: Int { switches.count.load(ordering: .relaxed) }

    /// Starts echoing on `loop` (127.0.0.1, port 0); `sendBufferSize` pins accepted sockets' `SO_SNDBUF`.
    init(on loop: EventLoop, sendBufferSize: Int32? = nil) async throws {
        let switches = SwitchCounter()
        self.port = try await loop.submit {
            let listener = try ListeningSocket(host: "127.0.0.1", port: 0)
            let acceptor = Acceptor(listener: listener, loop: loop, onError: { Issue.record("accept: \($0)") }) { socket in
                if let sendBufferSize { setIntegerOption(socket.fileDescriptor, SO_SNDBUF, sendBufferSize) }
                let connection = EchoConnection(socket: socket, loop: loop) { switches.count.add(1, ordering: .relaxed) }
                do { try connection.start() } catch { Issue.record("register: \(error)") }
            }
            try acceptor.start()
            return acceptor.port
        }
        self.switches = switches
    }

    private final class SwitchCounter: Sendable {
        let count = Atomic<Int>(0)
    }
}

/// One echoed connection; kept alive by its loop registration.
private final class EchoConnection {
    private let socket: Socket
    private let loop: EventLoop
    private let onWriteInterest: () -> Void
    private var pending: [UInt8] = []
    private var sent = 0

    init(socket: Socket, loop: EventLoop, onWriteInterest: @escaping () -> Void) {
        self.socket = socket
        self.loop = loop
        self.onWriteInterest = onWriteInterest
    }

    func start() throws {
        try loop.register(fd: socket.fileDescriptor, interest: .read) { [self] _ in
            do throws(SystemError) {
                if pending.isEmpty { try readAndEcho() } else { try flush() }
            } catch {
                close()
            }
        }
    }

    private func readAndEcho() throws(SystemError) {
        while pending.isEmpty {
            switch try socket.read(into: loop.scratchBuffer) {
            case .wouldBlock: return
            case .processed(0):
                close()
                return
            case .processed(let count):
                pending.append(contentsOf: loop.scratchBuffer[..<count])
                try flush()
            }
        }
    }

    private func flush() throws(SystemError) {
        while sent < pending.count {
            switch try socket.write(pending, from: sent) {
            case .processed(let count): sent += count
            case .wouldBlock:
                onWriteInterest()
                try loop.modify(fd: socket.fileDescriptor, interest: .write)
                return
            }
        }
        pending.removeAll(keepingCapacity: true)
        sent = 0
        try loop.modify(fd: socket.fileDescriptor, interest: .read)
    }

    private func close() {
        loop.deregister(fd: socket.fileDescriptor)
        socket.close()
    }
}
