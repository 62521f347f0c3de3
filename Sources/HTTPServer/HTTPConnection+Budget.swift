import EventLoop
import HTTP1
import Logging

extension HTTPConnection {
    /// Charged up front for each socket read: what one read can add (the loop's scratch buffer size).
    static let readAllowance = 64 << 10
    /// Estimated memory of an accepted connection (socket state, this object, its buffers' headers).
    static let plainConnectionEstimate = 4 << 10
    /// Estimated memory of a TLS session: OpenSSL's 16 KiB record buffers each way, the `SSL` and its BIOs
    /// (about 29 KiB once established), plus its working memory during the handshake and allocator slack.
    static let tlsConnectionEstimate = 60 << 10
    /// Estimated memory of an HTTP/2 session: nghttp2's session, HPACK tables, stream and frame buffers.
    static let http2SessionEstimate = 32 << 10

    /// What the connection holds right now: its estimate plus the capacity of every buffer it owns.
    var heldBytes: Int {
        var total = tls == nil ? Self.plainConnectionEstimate : Self.plainConnectionEstimate + Self.tlsConnectionEstimate
        total += parser.retainedBytes + plaintext.capacity + staging.capacity + output.capacity
        if let http2 { total += Self.http2SessionEstimate + http2.bufferedBodyBytes }
        return total
    }

    /// Whether a handshake, a request or its answer is in progress: the connection holds budget for a client.
    private var isHoldingRequestData: Bool {
        if output.count > outputOffset || !staging.isEmpty { return true }
        switch state {
        case .handshaking: return true
        case .http1: return !parser.isIdle || awaitingBody
        case .http2: return (http2?.bufferedBodyBytes ?? 0) > 0
        case .closing, .lingering, .closed: return false
        }
    }

    /// Whether the client is slow: the server is waiting on it (its last read drained the socket) and the
    /// request in progress has waited on it for `staleAfter` in all; or its answers have been backed up
    /// (it does not read them) with the request held that long. Time its data waited in the socket (held
    /// back by the budget, or by a busy loop) does not count: a request that waited for budget is not slow
    /// because of that.
    var isStale: Bool {
        guard let budget = environment.memoryBudget, let holdingSince else { return false }
        let now = loop.now()
        if isOutputBackedUp { return now &- holdingSince >= budget.staleAfter.clampedNanoseconds }
        guard awaitsClient, !isParked else { return false }
        return clientWaited &+ (now &- max(awaitingClientSince, holdingSince)) >= budget.staleAfter.clampedNanoseconds
    }

    /// Whether the request in progress may read into the budget's reserve: its connection has delivered a
    /// whole request before and it is not slow. A new connection's request (an attacker's 8 MiB body as much
    /// as a new client's first review) waits for room outside the reserve; when it waits long, the
    /// starvation rule sheds older holders for it.
    var mayUseReserve: Bool {
        requestsReceived > 0 && !isStale
    }

    /// The socket has data for the server: a wait on the client ends (and counts for the request held).
    func clientDataArrived(at now: UInt64? = nil) {
        guard awaitsClient else { return }
        awaitsClient = false
        if let holdingSince {
            let now = now ?? loop.now()
            clientWaited &+= now &- max(awaitingClientSince, holdingSince)
        }
    }

    /// Charges one read's worth before reading; false (and the connection parks) when the budget cannot
    /// take it. Always true without a budget, during the handshake (its memory is in the connection's
    /// estimate) and while lingering (input is discarded then).
    func chargeForRead() -> Bool {
        guard let budget = environment.memoryBudget else { return true }
        switch state {
        case .http1, .http2: break
        case .handshaking, .closing, .lingering, .closed: return true
        }
        if budget.tryCharge(Self.readAllowance, outsideReserve: !mayUseReserve, countRefusal: !isParked) {
            charged += Self.readAllowance
            return true
        }
        if !isParked {
            isParked = true
            parkedAt = loop.now()
            // Parked on a readable socket: its data waits on the server, not the other way round.
            clientDataArrived(at: parkedAt)
            // Held back before a request began: the header-read timeout bounds the wait (not the idle one).
            if case .http1 = state, headStartedAt == nil, !awaitingBody { headStartedAt = parkedAt }
            owner.park(self)
            environment.observer?.memoryBudgetRefused()
        }
        return false
    }

    /// Brings the charge in line with what the connection holds, and notes when its current request began.
    func settleBudget() {
        guard let budget = environment.memoryBudget else { return }
        let held: Int
        if case .closed = state {
            held = 0
        } else {
            held = heldBytes
        }
        if held > charged {
            budget.forceCharge(held - charged)
        } else if held < charged {
            budget.release(charged - held)
        }
        charged = held
        if case .closed = state { return }
        if isHoldingRequestData {
            if holdingSince == nil {
                holdingSince = lastActivity
                clientWaited = 0
            }
        } else {
            holdingSince = nil
        }
    }

    /// Starts reading again after the budget refused a read, if a read would now fit; answers whether it did.
    func resumeIfBudgetAllows() -> Bool {
        guard isParked, let budget = environment.memoryBudget else { return true }
        guard budget.inUse + Self.readAllowance <= budget.ceiling(outsideReserve: !mayUseReserve) else { return false }
        unpark()
        readAvailable()
        return !isParked
    }

    /// Leaves the loop's list of connections waiting for budget.
    func unpark() {
        guard isParked else { return }
        isParked = false
        owner.unpark(self)
        updateInterest()
    }

    /// The answer to a request a shed connection was still receiving.
    static let shedReason = "request not received in time while the server is short of memory; retry"

    /// Frees the budget this connection holds for a request it has been receiving for too long: HTTP/1.1
    /// gets a 503 with the reason, HTTP/2 a 503 on every stream still receiving and the final GOAWAY
    /// (streams already received keep their answers); then the connection closes. One whose output is
    /// backed up is closed at once.
    func shed() {
        environment.memoryBudget?.recordShed()
        environment.observer?.connectionShed()
        environment.logger.debug("connection shed to free memory", metadata: [
            "connection.peer": "\(peer)", "connection.heldBytes": "\(charged)",
        ])
        unpark()
        if case .http2 = state, !isOutputBackedUp {
            shedHTTP2(reason: Self.shedReason)
            return
        }
        // A 503 now would overtake an answer this connection still owes (a deferred one), so
        // such a connection is only closed.
        guard case .http1 = state, !isOutputBackedUp, pendingAnswers == 0 else {
            close()
            return
        }
        parser = HTTP1RequestParser(limits: environment.http1Limits)
        awaitingBody = false
        bodyStartedAt = nil
        headStartedAt = nil
        pausedForOutput = false
        plaintext = []
        reject(status: .serviceUnavailable, reason: Self.shedReason)
        afterEvent()
    }
}
