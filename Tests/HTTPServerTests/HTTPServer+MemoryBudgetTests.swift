import Dispatch
import Foundation
import HTTPServer
import Testing

/// Connections under a small memory budget: backpressure, shedding of slow requests, room for fast ones.
@Suite struct HTTPServerMemoryBudgetTests {
    /// A plain server whose budget is `limit` bytes with `reserve` for fast requests; requests go stale after 300 ms.
    private func server(limit: Int, reserve: Int) throws -> (TestServer, MemoryBudget) {
        let budget = MemoryBudget(limit: limit, reserve: reserve, staleAfter: .milliseconds(300))
        let server = try TestServer(tls: false) { $0.memoryBudget = budget }
        return (server, budget)
    }

    /// A client that announces `declared` body bytes and sends `sent` of them from another thread (the
    /// server may stop reading), then waits.
    private func stalledUpload(port: Int, declared: Int, sent: Int) throws -> RawClient {
        let client = try RawClient(port: port)
        startUpload(client, declared: declared, sent: sent)
        return client
    }

    /// Has `client` announce `declared` body bytes and send `sent` of them from another thread.
    private func startUpload(_ client: RawClient, declared: Int, sent: Int) {
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(declared)\r\n\r\n")
        DispatchQueue.global().async { client.send([UInt8](repeating: 0x61, count: sent)) }
    }

    /// A connection that has delivered a request (as kube-apiserver's keep-alive connections have).
    private func usedConnection(port: Int) throws -> RawClient {
        let client = try RawClient(port: port)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        #expect(client.read(until: "hello").hasPrefix("HTTP/1.1 200 OK\r\n"))
        return client
    }

    /// Sends a 600 KiB body on `client` and answers the start of the echo (the status line and the first KiB).
    private func echo600KiB(on client: RawClient) -> String {
        let body = [UInt8](repeating: 0x62, count: 600 << 10)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n")
        client.send(body)
        return client.read(until: String(repeating: "b", count: 1_000), timeout: .seconds(5))
    }

    @Test func uploadsAreHeldBackAndShedSoThatAFastRequestFitsWhileTheyHoldTheBudget() throws {
        let (server, budget) = try server(limit: 2 << 20, reserve: 1 << 20)
        defer { server.stop() }
        let fast = try usedConnection(port: server.port)
        // All three connect before any sends: a connection the budget outside the reserve cannot take is closed at once.
        let slow = try (0..<3).map { _ in try RawClient(port: server.port) }
        #expect(server.observer.wait { $0.opened == 4 })
        for client in slow {
            startUpload(client, declared: 4 << 20, sent: 1 << 20)
        }
        // The uploads on new connections fill the part of the budget outside the reserve and stop being read;
        // the older ones are shed for the newest one waiting: at least one gets the 503 and is closed.
        usleep(800_000)
        #expect(budget.refusalCount > 0)
        #expect(budget.shedCount >= 1)
        #expect(budget.inUse < budget.limit - budget.reserve / 2, "\(budget.inUse)")

        let started = ContinuousClock.now
        let answer = echo600KiB(on: fast)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer.prefix(200))")
        #expect(ContinuousClock.now - started < .seconds(2))

        let shedAnswers = slow.map { $0.readUntilClosed(timeout: .milliseconds(300)).text }.filter { $0.contains(" 503 ") }
        #expect(shedAnswers.count == budget.shedCount)
        #expect(shedAnswers.first?.hasSuffix(
            "\r\n\r\nrequest not received in time while the server is short of memory; retry\n") == true)
        #expect(server.observer.counts.withLock { $0.rejectedRequests.filter { $0.status == 503 }.count } == budget.shedCount)
    }

    @Test func aConnectionThatDeliveredARequestReadsIntoTheReserveWhileANewUploadWaitsOutsideIt() throws {
        let (server, budget) = try server(limit: 4 << 20, reserve: 2 << 20)
        defer { server.stop() }
        let used = try usedConnection(port: server.port)

        // A new connection sends more than the whole budget as fast as it is taken: it is read up to the
        // part outside the reserve, then held back (not shed: no older request waits).
        let upload = try stalledUpload(port: server.port, declared: 6 << 20, sent: 5 << 20)
        #expect(server.observer.wait { _ in budget.refusalCount > 0 })
        usleep(100_000)
        #expect(budget.inUse < budget.limit - budget.reserve / 2, "\(budget.inUse)")

        let answer = echo600KiB(on: used)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer.prefix(200))")
        #expect(budget.shedCount == 0)
        #expect(!upload.isClosedByPeer(within: .milliseconds(100)))
    }

    @Test func aNewConnectionTheBudgetCannotTakeShedsAnUploadHeldBackForLongerThanStaleAfter() throws {
        // One loop: a loop sheds only its own connections to admit a new one.
        let budget = MemoryBudget(limit: 2 << 20, reserve: 1 << 20, staleAfter: .milliseconds(300))
        let server = try TestServer(tls: false, threads: 1) { $0.memoryBudget = budget }
        defer { server.stop() }
        let upload = try stalledUpload(port: server.port, declared: 4 << 20, sent: 3 << 20)
        #expect(server.observer.wait { _ in budget.refusalCount > 0 })
        usleep(400_000)  // held back for longer than staleAfter (300 ms)
        // Whatever else holds the part outside the reserve (more uploads), charged here to fill it exactly.
        let filler = max(0, budget.limit - budget.reserve - budget.inUse)
        budget.forceCharge(filler)
        defer { budget.release(filler) }

        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        #expect(client.read(until: "hello").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(budget.shedCount == 1)
        #expect(upload.readUntilClosed(timeout: .seconds(1)).text.contains("HTTP/1.1 503 "))
    }

    /// Iterations of all of `server`'s loops during 300 ms (sampling wakes each loop once at either end).
    private func loopIterationsDuring300ms(of server: TestServer) throws -> UInt64 {
        let sample = { try server.group.loops.map { loop in try loop.runBlocking { loop.iteration } } }
        let before = try sample()
        usleep(300_000)
        return zip(try sample(), before).map { $0 &- $1 }.reduce(0, +)
    }

    @Test func theBudgetIsWatchedOnlyWhileUnderPressure() throws {
        let budget = MemoryBudget(limit: 2 << 20, reserve: 1 << 20, staleAfter: .milliseconds(300))
        let server = try TestServer(tls: false) {
            $0.memoryBudget = budget
            $0.bodyReadTimeout = .milliseconds(800)
        }
        defer { server.stop() }
        #expect(try loopIterationsDuring300ms(of: server) <= 4)
        let upload = try stalledUpload(port: server.port, declared: 4 << 20, sent: 3 << 19)
        #expect(server.observer.wait { _ in budget.refusalCount > 0 })
        // Held back: each loop checks the budget every 10 ms, until the body read timeout closes the upload.
        #expect(try loopIterationsDuring300ms(of: server) >= 30)
        #expect(upload.readUntilClosed().text.hasPrefix("HTTP/1.1 408 "))
        #expect(server.observer.wait { $0.closed == 1 })
        usleep(50_000)
        #expect(budget.inUse == 0)
        #expect(try loopIterationsDuring300ms(of: server) <= 4)
    }

    @Test func everyChargeIsReturnedWhenConnectionsClose() throws {
        let (server, budget) = try server(limit: 4 << 20, reserve: 1 << 20)
        defer { server.stop() }
        do {
            let idle = try RawClient(port: server.port)
            let partial = try stalledUpload(port: server.port, declared: 1 << 20, sent: 300 << 10)
            let done = try RawClient(port: server.port)
            done.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
            #expect(done.read(until: "hello").hasPrefix("HTTP/1.1 200 OK"))
            #expect(server.observer.wait { $0.opened == 3 })
            usleep(100_000)
            #expect(budget.inUse >= 300 << 10)
            _ = (idle, partial)
        }
        #expect(server.observer.wait { $0.closed == 3 })
        #expect(budget.inUse == 0)
    }
}
