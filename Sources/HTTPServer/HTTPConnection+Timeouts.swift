import EventLoop

extension HTTPConnection {
    /// When the connection times out in its current state: handshake, unfinished head, idleness, lingering.
    ///
    /// Maintainers' note: activity only pushes the idle deadline later, so requests never touch the timer
    /// heap. One timer is armed at a time; when it fires early (the deadline moved) it re-arms for the real
    /// deadline. Only a deadline earlier than the armed one (a head started, lingering) replaces the timer.
    private var deadline: UInt64 {
        let idle = lastActivity &+ environment.idleTimeout
        switch state {
        case .handshaking:
            return openedAt &+ environment.handshakeTimeout
        case .http1:
            // Pipelined bytes behind a deferred answer are not a slow head.
            if pendingAnswers > 0 { return idle }
            if let bodyStartedAt { return min(idle, bodyStartedAt &+ environment.bodyReadTimeout) }
            guard let headStartedAt else { return idle }
            return min(idle, headStartedAt &+ environment.headerReadTimeout)
        case .http2, .closing:
            return idle
        case .lingering:
            return lingerDeadline
        case .closed:
            return .max
        }
    }

    /// Makes sure a timer fires no later than the current deadline.
    func armTimer() {
        let deadline = deadline
        if timer != nil {
            if timerDeadline <= deadline { return }
            loop.cancelTimer(timer!)
        }
        let now = loop.now()
        timerDeadline = deadline
        timer = loop.scheduleTimer(after: .nanoseconds(Int64(clamping: deadline > now ? deadline - now : 0))) { [self] in
            timer = nil
            timerFired()
        }
    }

    private func timerFired() {
        if loop.now() < deadline {
            armTimer()
            return
        }
        switch state {
        case .handshaking:
            environment.observer?.tlsHandshakeFailed(reason: "handshake timed out")
            environment.logger.debug("TLS handshake timed out", metadata: ["connection.peer": "\(peer)"])
            close()
        case .http1:
            if bodyStartedAt != nil {
                reject(status: .requestTimeout, reason: "request body not received in time")
            } else if headStartedAt != nil {
                reject(status: .requestTimeout, reason: "request head not received in time")
            } else {
                startClosing(linger: false)
            }
            afterEvent()
        case .http2:
            closeIdleHTTP2()
            afterEvent()
        case .closing, .lingering:
            close()
        case .closed:
            break
        }
    }
}
