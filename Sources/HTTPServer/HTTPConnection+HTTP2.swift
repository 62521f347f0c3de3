import HTTP2
import Logging

extension HTTPConnection {
    /// How long a shutting-down HTTP/2 client has to acknowledge the GOAWAY notice's PING before the final
    /// GOAWAY is sent anyway.
    private static let shutdownPingGrace: Duration = .seconds(1)

    /// Switches to HTTP/2 after ALPN chose `h2`; queues the server preface.
    func startHTTP2() {
        let clock = loop.clock
        do {
            let session = try HTTP2ServerSession(configuration: environment.http2Configuration) { clock.nanoseconds() }
            session.takeOutput(into: &staging)
            http2 = session
            state = .http2
        } catch {
            logClose("cannot start HTTP/2", error: error)
            state = .http1
            startClosing(linger: false)
        }
    }

    /// Feeds `bytes` to the session, answers the requests it completes and queues the session's output.
    func processHTTP2(_ bytes: UnsafeRawBufferPointer) {
        guard let session = http2 else { return }
        do {
            try session.receive(bytes, into: &http2Requests)
        } catch {
            logClose("HTTP/2 session ended", error: error)
            session.takeOutput(into: &staging)
            startClosing(linger: false)
            return
        }
        if !http2Requests.isEmpty {
            answer(http2Requests, on: session)
            http2Requests.removeAll(keepingCapacity: true)
        }
        reportRejections(of: session)
        session.takeOutput(into: &staging)
        if session.wantsClose { startClosing(linger: false) }
    }

    /// Counts the requests the session answered itself (413, 431, a shed's 503).
    private func reportRejections(of session: HTTP2ServerSession) {
        for status in session.takeRejections() {
            environment.observer?.requestRejected(status: status, protocolVersion: .http2)
        }
    }

    /// Shed for memory: streams still receiving get 503 with `reason`, the final GOAWAY follows, reading
    /// stops and the connection closes once its output (and any deferred answer it owes) is sent.
    func shedHTTP2(reason: String) {
        guard let session = http2 else {
            close()
            return
        }
        session.shed(status: .serviceUnavailable, body: Array((reason + "\n").utf8), into: &staging)
        reportRejections(of: session)
        startClosing(linger: false)
        afterEvent()
    }

    /// Answers each request on its stream, now or, for a deferred answer, when it arrives (`deliverHTTP2`).
    private func answer(_ requests: [HTTP2Request], on session: HTTP2ServerSession) {
        for request in requests {
            let answered = AnsweredRequest(path: request.request.path ?? "", keepAlive: true)
            switch handle(HTTPServerRequest(head: request.request, body: request.body[...], protocolVersion: .http2)) {
            case .now(let response):
                write(response, for: answered, on: request.streamID, session: session)
            case .later(let start):
                pendingAnswers += 1
                let streamID = request.streamID
                start(makeResponder { connection, response in connection.deliverHTTP2(response, for: answered, on: streamID) })
            }
        }
    }

    /// A deferred answer arrived: sends it on its stream (also while closing after a shed, whose GOAWAY
    /// promised it), unless the session has ended (a stream the client reset meanwhile ignores it).
    private func deliverHTTP2(_ response: HTTPServerResponse, for request: AnsweredRequest, on streamID: Int32) {
        pendingAnswers -= 1
        guard let session = http2, isAnsweringHTTP2 else {
            afterEvent()
            return
        }
        write(response, for: request, on: streamID, session: session)
        session.takeOutput(into: &staging)
        if session.wantsClose { startClosing(linger: false) }
        afterEvent()
    }

    /// Whether deferred answers still go out: while speaking HTTP/2, and while closing after a shed.
    private var isAnsweringHTTP2: Bool {
        switch state {
        case .http2: true
        case .closing: http2?.wasShed == true
        case .handshaking, .http1, .lingering, .closed: false
        }
    }

    private func write(_ response: HTTPServerResponse, for request: AnsweredRequest, on streamID: Int32, session: HTTP2ServerSession) {
        session.respond(streamID: streamID, response: response.head, body: response.body)
        environment.observer?.requestHandled(path: request.path, status: response.head.status, protocolVersion: .http2)
    }

    /// Graceful GOAWAY: open streams finish; if the client does not acknowledge the notice's PING in time,
    /// the final GOAWAY goes out anyway. The connection closes once the session has nothing left to do.
    func shutDownHTTP2() {
        guard let session = http2 else { return }
        session.startGracefulShutdown()
        finishHTTP2Step(session)
        loop.scheduleTimer(after: Self.shutdownPingGrace) { [self] in
            guard case .http2 = state else { return }
            session.startGracefulShutdown()
            finishHTTP2Step(session)
        }
    }

    /// Queues the session's output, starts closing when it is done, and flushes.
    private func finishHTTP2Step(_ session: HTTP2ServerSession) {
        session.takeOutput(into: &staging)
        if session.wantsClose { startClosing(linger: false) }
        afterEvent()
    }

    /// An idle HTTP/2 connection: final GOAWAY at once, then close.
    func closeIdleHTTP2() {
        guard let session = http2 else { return }
        session.startGracefulShutdown()
        session.startGracefulShutdown()
        session.takeOutput(into: &staging)
        startClosing(linger: false)
    }
}
