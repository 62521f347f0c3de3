import EventLoop
import HTTP1
import HTTP2
import Logging
import TLSEngine

/// One accepted connection on its loop: socket I/O, TLS, protocol selection, output buffering, closing.
/// HTTP/1.1 and HTTP/2 processing live in `HTTPConnection+HTTP1.swift` and `HTTPConnection+HTTP2.swift`,
/// deadlines in `HTTPConnection+Timeouts.swift`.
///
/// Maintainers' note on the data path: socket bytes land in the loop's scratch buffer; with TLS they are
/// decrypted straight into the HTTP/1.1 parser's buffer, or during the handshake and over HTTP/2 into
/// `plaintext` (reused). Responses are serialized into `staging` (reused), encrypted (or, in
/// plain mode, swapped) into `output` once per read batch, and written with one `send`. Whatever the socket
/// does not take stays in `output` with write interest on; past `maxBufferedOutputBytes` reading pauses.
/// With a `MemoryBudget`, each read is charged before it is made and the charge is trued up to what the
/// buffers hold after every event; a read the budget cannot take parks the connection (no read interest)
/// until its loop finds room or sheds it.
final class HTTPConnection {
    enum State {
        /// TLS handshake in progress.
        case handshaking
        /// Speaking HTTP/1.1.
        case http1
        /// Speaking HTTP/2.
        case http2
        /// Sending what is left, then closing; `linger`: shut down writing and drain input first.
        case closing(linger: Bool)
        /// Write side shut down; discarding input until end of file or `lingerDeadline`.
        case lingering
        /// Socket closed.
        case closed
    }

    let socket: Socket
    let fileDescriptor: Int32
    let loop: EventLoop
    let environment: HTTPServerEnvironment
    unowned let owner: HTTPServerLoop
    let tls: TLSConnection?

    var state: State
    /// Set by `beginShutdown`: HTTP/1.1 answers `Connection: close` from then on.
    var isShuttingDown = false

    // HTTP/1.1
    var parser: HTTP1RequestParser
    /// Between a request's head and its complete body.
    var awaitingBody = false
    /// When the client started a request head it has not finished (for the header-read timeout).
    var headStartedAt: UInt64?
    /// When the head of the request whose body is awaited arrived (for the body-read timeout).
    var bodyStartedAt: UInt64?
    /// Whether pipelined requests wait in the parser because the output is backed up.
    var pausedForOutput = false

    /// Deferred answers the handler still owes (HTTP/1.1: at most one; HTTP/2: one per waiting stream).
    var pendingAnswers = 0

    // HTTP/2
    var http2: HTTP2ServerSession?
    var http2Requests: [HTTP2Request] = []

    // Buffers, reused for the connection's lifetime.
    /// Decrypted input (TLS only) during the handshake and over HTTP/2.
    var plaintext: [UInt8] = []
    /// Serialized output not yet encrypted (TLS) or moved to `output` (plain).
    var staging: [UInt8] = []
    /// Bytes for the socket; `output[outputOffset...]` is still unsent.
    var output: [UInt8] = []
    var outputOffset = 0
    private var interest: IOEvents = .read

    // Memory budget (see `HTTPConnection+Budget.swift`).
    /// Bytes charged to the server's `MemoryBudget` for this connection.
    var charged = 0
    /// When the request in progress (or its unsent answer) started holding memory; nil when idle.
    var holdingSince: UInt64?
    /// Reading stopped because the budget could not take another read; the loop resumes it.
    var isParked = false
    /// When the connection last parked.
    var parkedAt: UInt64 = 0
    /// Whether the last read found the socket drained: the server waits on the client.
    var awaitsClient = true
    /// When the server began waiting on the client (the read that drained the socket), while `awaitsClient`.
    var awaitingClientSince: UInt64
    /// How long the request in progress has waited on the client so far, not counting the current wait.
    var clientWaited: UInt64 = 0
    /// Requests received whole on this connection (handed to the handler).
    var requestsReceived = 0
    private var closeNotifyQueued = false

    // Deadlines (monotonic nanoseconds).
    let openedAt: UInt64
    var lastActivity: UInt64
    var lingerDeadline: UInt64 = .max
    var timer: TimerID?
    var timerDeadline: UInt64 = .max

    /// Socket reads (of the loop's scratch buffer size) per readiness event before other connections get a turn.
    private static let maxReadsPerEvent = 1

    /// Ciphertext handed to OpenSSL at a time: a full TLS record (16 KiB of plaintext) and its overhead.
    private static let tlsFeedBytes = 17 << 10

    /// Output buffers larger than this are released once sent rather than kept for reuse.
    private static let retainedOutputCapacity = 1 << 20

    /// Registers `socket` for reading and arms the first deadline. Loop thread only.
    init(socket: Socket, tls: TLSConnection?, owner: HTTPServerLoop) throws {
        self.socket = socket
        self.fileDescriptor = socket.fileDescriptor
        self.loop = owner.loop
        self.environment = owner.environment
        self.owner = owner
        self.tls = tls
        self.state = tls == nil ? .http1 : .handshaking
        self.parser = HTTP1RequestParser(limits: owner.environment.http1Limits)
        self.openedAt = owner.loop.now()
        self.lastActivity = openedAt
        self.awaitingClientSince = openedAt
        // A handshake holds budget (the connection's estimate) from the start; a slow one can be shed.
        self.holdingSince = tls == nil ? nil : openedAt
        try loop.register(fd: fileDescriptor, interest: .read) { [unowned self] events in handle(events) }
        armTimer()
    }

    // MARK: - Events

    private func handle(_ events: IOEvents) {
        if !events.isDisjoint(with: [.hangup, .error]) {
            close()
            return
        }
        if events.contains(.write) {
            writeOutput()
            resumePausedRequests()
        }
        if events.contains(.read) {
            if case .handshaking = state, !owner.mayReadHandshake() {
                // Level-triggered: the loop reports the socket again next iteration. Its data waits on
                // the server, so the client is not slow meanwhile.
                clientDataArrived()
                settleBudget()
                return
            }
            readAvailable()
        } else {
            settleBudget()
        }
    }

    /// Reads until the socket would block (or a short read suggests it is drained, or
    /// `maxReadsPerEvent` reads were made), processes the bytes, then flushes the responses they
    /// produced in one write. The cap keeps one fast sender (a multi-megabyte body) from holding the
    /// loop while other connections wait: epoll reports the socket again on the next iteration.
    func readAvailable() {
        let buffer = loop.scratchBuffer
        var reads = 0
        while interest.contains(.read), acceptsInput, reads < Self.maxReadsPerEvent {
            guard chargeForRead() else {
                updateInterest()
                break
            }
            reads += 1
            let count: Int
            do {
                switch try socket.read(into: buffer) {
                case .wouldBlock: count = -1
                case .processed(let read): count = read
                }
            } catch {
                logClose("read failed", error: error)
                close()
                return
            }
            let now = loop.now()
            if count > 0 { clientDataArrived(at: now) }
            if count < buffer.count, !awaitsClient {
                awaitsClient = true
                awaitingClientSince = now
            }
            if count < 0 { break }
            if count == 0 {
                peerClosed()
                return
            }
            lastActivity = now
            received(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            if count < buffer.count { break }
        }
        afterEvent()
    }

    /// Flushes output and moves the deadline; every event path ends here.
    func afterEvent() {
        flush()
        resumePausedRequests()
        if case .closed = state { return }
        settleBudget()
        armTimer()
    }

    /// Whether the output not yet sent exceeds the bound: time to stop answering and reading.
    var isOutputBackedUp: Bool {
        staging.count + output.count - outputOffset > environment.configuration.maxBufferedOutputBytes
    }

    /// Answers the pipelined requests that waited for the output to drain, as far as it drains.
    private func resumePausedRequests() {
        while pausedForOutput, case .http1 = state, !isOutputBackedUp {
            pausedForOutput = false
            processHTTP1(UnsafeRawBufferPointer(start: nil, count: 0))
            flush()
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .lingering, .closing, .closed:
            return
        case .handshaking, .http1, .http2:
            break
        }
        guard let tls else {
            process(bytes)
            return
        }
        // Ciphertext goes to OpenSSL about one record at a time and its plaintext is processed at once,
        // so that `plaintext` does not grow past a record per connection.
        var result = TLSReadResult.ok
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + Self.tlsFeedBytes)
            let ciphertext = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            offset = end
            if case .http1 = state {
                result = decryptHTTP1(ciphertext, with: tls)
            } else {
                result = tls.readPlaintext(from: ciphertext, into: &plaintext)
                if case .handshaking = state, tls.isHandshakeComplete {
                    selectProtocol(tls.negotiatedALPN)
                }
                if !plaintext.isEmpty {
                    plaintext.withUnsafeBytes { process($0) }
                    plaintext.removeAll(keepingCapacity: plaintext.capacity <= Self.tlsFeedBytes)
                }
            }
            guard case .ok = result, acceptsInput else { break }
        }
        switch result {
        case .ok:
            break
        case .closed:
            startClosing(linger: false)
        case .failed(let error):
            if case .handshaking = state {
                environment.observer?.tlsHandshakeFailed(reason: error.reason)
                environment.logger.debug("TLS handshake failed", metadata: [
                    "connection.peer": "\(peer)", "tls.error": "\(error)",
                ])
            } else {
                logClose("TLS failure", error: error)
            }
            // Send the alert OpenSSL queued, then drop the connection.
            tls.takeCiphertext(into: &output)
            writeOutput()
            close()
        }
    }

    private func selectProtocol(_ alpn: String?) {
        if alpn == "h2", environment.configuration.enableHTTP2 {
            startHTTP2()
        } else {
            state = .http1
        }
    }

    /// Whether reads are processed (or, while lingering, drained).
    private var acceptsInput: Bool {
        switch state {
        case .handshaking, .http1, .http2, .lingering: true
        case .closing, .closed: false
        }
    }

    private func process(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .http1: processHTTP1(bytes)
        case .http2: processHTTP2(bytes)
        case .handshaking, .closing, .lingering, .closed: break
        }
    }

    private func peerClosed() {
        switch state {
        case .lingering, .handshaking:
            close()
        case .http1, .http2, .closing:
            // Answer what was already received, then close.
            startClosing(linger: false)
            afterEvent()
        case .closed:
            break
        }
    }

    // MARK: - Output

    /// Moves `staging` (encrypted with TLS) into `output`, queues close_notify when closing, and writes.
    func flush() {
        if case .closed = state { return }
        if !staging.isEmpty {
            if let tls {
                do {
                    try staging.withUnsafeBytes { try tls.writePlaintext($0) }
                } catch {
                    logClose("TLS write failed", error: error)
                    close()
                    return
                }
                staging.removeAll(keepingCapacity: staging.capacity <= Self.retainedOutputCapacity)
            } else if outputOffset == output.count {
                output.removeAll(keepingCapacity: true)
                outputOffset = 0
                swap(&output, &staging)
            } else {
                output.append(contentsOf: staging)
                staging.removeAll(keepingCapacity: true)
            }
        }
        if let tls {
            // close_notify goes after the answers still owed (a TLS session writes nothing after it).
            if case .closing = state, !closeNotifyQueued, pendingAnswers == 0 {
                closeNotifyQueued = true
                tls.close()
            }
            if tls.hasPendingCiphertext { tls.takeCiphertext(into: &output) }
        }
        writeOutput()
    }

    /// Writes `output` until done or the socket would block; then updates interest or finishes closing.
    private func writeOutput() {
        while outputOffset < output.count {
            do {
                switch try socket.write(output, from: outputOffset) {
                case .processed(let written):
                    outputOffset += written
                case .wouldBlock:
                    updateInterest()
                    return
                }
            } catch {
                logClose("write failed", error: error)
                close()
                return
            }
        }
        if !output.isEmpty {
            output.removeAll(keepingCapacity: output.capacity <= Self.retainedOutputCapacity)
            outputOffset = 0
        }
        if case .closing(let linger) = state {
            // Answers still owed are sent before the connection closes.
            if pendingAnswers > 0 {
                updateInterest()
                return
            }
            if linger { startLingering() } else { close() }
            return
        }
        updateInterest()
    }

    /// Read interest unless closing, backed up or parked for budget; write interest while output is pending.
    func updateInterest() {
        var wanted: IOEvents = []
        let pending = output.count - outputOffset
        switch state {
        case .closed:
            return
        case .closing:
            break
        case .http1 where pendingAnswers > 0:
            // Requests pipelined behind a deferred answer wait in the socket, not in the parser.
            break
        case .handshaking, .http1, .http2, .lingering:
            if pending <= environment.configuration.maxBufferedOutputBytes, !isParked { wanted.insert(.read) }
        }
        if pending > 0 { wanted.insert(.write) }
        guard wanted != interest else { return }
        do {
            try loop.modify(fd: fileDescriptor, interest: wanted)
            interest = wanted
        } catch {
            logClose("epoll_ctl failed", error: error)
            close()
        }
    }

    // MARK: - Closing

    /// Stops processing input; the output still queued (plus close_notify) is sent, then the socket closes
    /// (after draining input when `linger`, so a client still sending does not get a reset instead of the
    /// response).
    func startClosing(linger: Bool) {
        switch state {
        case .closing, .lingering, .closed:
            return
        case .handshaking, .http1, .http2:
            state = .closing(linger: linger)
        }
    }

    private func startLingering() {
        do {
            try socket.shutdownWrite()
        } catch {
            close()
            return
        }
        state = .lingering
        lingerDeadline = loop.now() &+ environment.lingerTimeout
        updateInterest()
        armTimer()
    }

    /// Closes the socket at once; later calls do nothing.
    func close() {
        if case .closed = state { return }
        state = .closed
        unpark()
        settleBudget()
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        loop.deregister(fd: fileDescriptor)
        socket.close()
        owner.connectionDidClose(self)
    }

    /// Finishes gracefully for a server shutdown: an idle HTTP/1.1 connection closes now, a busy one after
    /// its response (sent with `Connection: close`); HTTP/2 sends GOAWAY and finishes its streams; a handshake
    /// in progress is dropped. Input that already arrived is processed first.
    func beginShutdown() {
        isShuttingDown = true
        switch state {
        case .handshaking:
            close()
        case .http1:
            readAvailable()
            if case .http1 = state, parser.isIdle, !awaitingBody, pendingAnswers == 0 {
                startClosing(linger: false)
                afterEvent()
            }
        case .http2:
            shutDownHTTP2()
        case .closing, .lingering, .closed:
            break
        }
    }

    // MARK: - Logging

    /// The peer's address, for log metadata (looked up only when a log line is written).
    var peer: String {
        (try? socket.remoteAddress().description) ?? "unknown"
    }

    func logClose(_ message: @autoclosure () -> Logger.Message, error: any Error) {
        environment.logger.debug(message(), metadata: ["connection.peer": "\(peer)", "error": "\(error)"])
    }
}
