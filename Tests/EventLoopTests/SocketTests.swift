import EventLoop
import Glibc
import Synchronization
import Testing

/// A connected pair on loopback: `client` blocking, `server` (accepted) non-blocking.
private func connectedPair() throws -> (client: Socket, server: Socket) {
    let listener = try ListeningSocket(host: "127.0.0.1", port: 0)
    let client = try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: listener.port))
    guard case .processed(let server) = try listener.accept() else { throw SystemError(call: "accept4", errno: EAGAIN) }
    setBlockingTimeouts(client)
    return (client, server)
}

@Suite struct SocketTests {
    @Test func fullSendBufferWouldBlockThenWriteReadinessResumes() async throws {
        let (client, server) = try connectedPair()
        setIntegerOption(server.fileDescriptor, SO_SNDBUF, 16 * 1024)
        setIntegerOption(client.fileDescriptor, SO_RCVBUF, 16 * 1024)
        let chunk = [UInt8](repeating: 7, count: 16 * 1024)
        var queued = 0
        var blocked = false
        while !blocked, queued < 64 << 20 {
            switch try server.write(chunk) {
            case .processed(let count): queued += count
            case .wouldBlock: blocked = true
            }
        }
        #expect(blocked)

        let writable = Atomic<Int>(0)
        let resumedWrite = Atomic<Int>(0)
        try await withRunningLoop { loop in
            let handedOver = Handover(value: server)
            try await loop.submit {
                let server = handedOver.value
                try loop.register(fd: server.fileDescriptor, interest: .write) { events in
                    guard events.contains(.write) else { return }
                    writable.add(1, ordering: .relaxed)
                    if case .processed(let count) = try? server.write([1]) { resumedWrite.store(count, ordering: .relaxed) }
                    loop.deregister(fd: server.fileDescriptor)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(writable.load(ordering: .relaxed) == 0, "no write readiness while the peer reads nothing")

            let drained = try client.read(exactly: queued)
            #expect(drained.count == queued)
            #expect(await eventually { resumedWrite.load(ordering: .relaxed) == 1 })
            #expect(writable.load(ordering: .relaxed) == 1)
        }
    }

    @Test func endOfFileIsReadAsZeroAndHalfCloseStillWrites() async throws {
        let (client, server) = try connectedPair()
        try client.writeAll([1, 2, 3])
        try client.shutdownWrite()
        let reads = Mutex<[Int]>([])
        try await withRunningLoop { loop in
            let handedOver = Handover(value: server)
            try await loop.submit {
                let server = handedOver.value
                try loop.register(fd: server.fileDescriptor, interest: .read) { _ in
                    while case .processed(let count) = try? server.read(into: loop.scratchBuffer) {
                        reads.withLock { $0.append(count) }
                        if count == 0 {
                            _ = try? server.write([9])
                            loop.deregister(fd: server.fileDescriptor)
                            server.close()
                            return
                        }
                    }
                }
            }
            #expect(await eventually { reads.withLock { $0.last == 0 } })
        }
        #expect(reads.withLock { $0 } == [3, 0])
        #expect(try client.read(exactly: 2) == [9], "after the half close the server still wrote one byte, then closed")
    }

    @Test func closeIsIdempotent() throws {
        let (client, server) = try connectedPair()
        server.close()
        server.close()
        #expect(!server.isOpen)
        #expect(server.fileDescriptor == -1)
        #expect(try client.read(exactly: 1) == [])
    }

    @Test func reportsBothEndpoints() throws {
        let (client, server) = try connectedPair()
        #expect(try client.remoteAddress() == server.localAddress())
        #expect(try client.localAddress() == server.remoteAddress())
        #expect(try server.localAddress().host == "127.0.0.1")
    }
}
