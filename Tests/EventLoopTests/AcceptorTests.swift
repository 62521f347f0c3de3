import EventLoop
import Foundation
import Testing

@Suite struct AcceptorTests {
    @Test func echoesOneMegabyteThroughWriteInterestToggling() async throws {
        try await withRunningLoop { loop in
            // A pinned 16 KiB send buffer and a client that starts reading late guarantee the server's writes
            // block, so the echo must go through the `.write` interest path.
            let server = try await EchoServer(on: loop, sendBufferSize: 16 * 1024)
            let payload = patternBytes(count: 1 << 20, seed: 1)
            let echoed = try await onThread {
                let client = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: server.port))
                setBlockingTimeouts(client)
                let writerFD = client.fileDescriptor
                let writer = Thread {
                    var offset = 0
                    while offset < payload.count {
                        let sent = payload.withUnsafeBytes { send(writerFD, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                        guard sent > 0 else { return }
                        offset += sent
                    }
                }
                writer.start()
                Thread.sleep(forTimeInterval: 0.05)
                return try client.read(exactly: payload.count)
            }
            #expect(echoed.count == payload.count)
            #expect(echoed == payload)
            #expect(server.writeInterestSwitches > 0)
        }
    }

    @Test func echoesOn200ConcurrentConnections() async throws {
        try await withRunningLoop { loop in
            let server = try await EchoServer(on: loop)
            let mismatches = try await onThread {
                let address = try SocketAddress(host: "127.0.0.1", port: server.port)
                let clients = try (0..<200).map { _ in try Socket.connect(to: address) }
                for (index, client) in clients.enumerated() {
                    setBlockingTimeouts(client)
                    try client.writeAll(patternBytes(count: 4096, seed: index))
                }
                return try clients.enumerated().filter { index, client in
                    try client.read(exactly: 4096) != patternBytes(count: 4096, seed: index)
                }.count
            }
            #expect(mismatches == 0)
        }
    }

    @Test func stopClosesTheListener() async throws {
        try await withRunningLoop { loop in
            let port = try await loop.submit {
                let acceptor = Acceptor(listener: try ListeningSocket(host: "127.0.0.1", port: 0), loop: loop, onError: { _ in }) { _ in }
                try acceptor.start()
                acceptor.stop()
                return acceptor.port
            }
            #expect(throws: SystemError(call: "connect", errno: ECONNREFUSED)) {
                try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port))
            }
        }
    }
}
