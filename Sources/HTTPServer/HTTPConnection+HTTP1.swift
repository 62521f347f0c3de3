import HTTP1
import HTTPTypes
import Logging
import TLSEngine

extension HTTPConnection {
    /// Parses `bytes` and answers every request they complete, in order (pipelining), into `staging`.
    /// While the output is backed up, further pipelined requests wait in the parser (and reading
    /// pauses), so a client that sends without reading cannot make the server buffer its answers.
    func processHTTP1(_ bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        do {
            reading: while case .http1 = state {
                if isOutputBackedUp {
                    pausedForOutput = true
                    break
                }
                // A deferred answer holds the requests pipelined behind it, so responses keep their order.
                if pendingAnswers > 0 { break }
                // Switched on directly, the event's head and body move into the cases; bound to a name
                // first, they were copied and the event destroyed after: ~0.35k instructions per request
                // of enum value-witness calls (callgrind).
                switch try parser.next() {
                case nil:
                    break reading
                case .head(let head)?:
                    awaitingBody = true
                    headStartedAt = nil
                    bodyStartedAt = lastActivity
                    if head.expectsContinue {
                        staging.append(contentsOf: HTTP1ResponseSerializer.continueResponse)
                    }
                case .request(let head, let body)?:
                    awaitingBody = false
                    bodyStartedAt = nil
                    answer(head, body: body)
                }
            }
        } catch {
            reject(status: error.status, reason: error.reason)
            return
        }
        guard case .http1 = state else { return }
        if awaitingBody || parser.isIdle {
            headStartedAt = nil
        } else if headStartedAt == nil {
            headStartedAt = lastActivity
        }
    }

    /// Decrypts `ciphertext` straight into the parser's buffer (rather than through `plaintext`, a copy of
    /// every request fewer), then answers what the new bytes complete.
    func decryptHTTP1(_ ciphertext: UnsafeRawBufferPointer, with tls: TLSConnection) -> TLSReadResult {
        var decrypted = false
        let result = parser.append { buffer in
            let count = buffer.count
            defer { decrypted = buffer.count > count }
            return tls.readPlaintext(from: ciphertext, into: &buffer)
        }
        if decrypted { processHTTP1(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return result
    }

    /// Calls the handler and serializes its response now or, for a deferred answer, when it arrives
    /// (`deliverHTTP1`); closes afterwards unless both sides keep the connection.
    private func answer(_ head: HTTP1RequestHead, body: ArraySlice<UInt8>) {
        let request = AnsweredRequest(path: head.request.path ?? "", keepAlive: head.keepAlive)
        switch handle(HTTPServerRequest(head: head.request, body: body, protocolVersion: .http1_1)) {
        case .now(let response):
            write(response, for: request)
        case .later(let start):
            pendingAnswers += 1
            start(makeResponder { connection, response in connection.deliverHTTP1(response, for: request) })
        }
    }

    /// A deferred answer arrived: sends it (unless the connection is past answering), then goes on
    /// with the requests pipelined behind it.
    private func deliverHTTP1(_ response: HTTPServerResponse, for request: AnsweredRequest) {
        pendingAnswers -= 1
        switch state {
        case .http1, .closing: break
        case .handshaking, .http2, .lingering, .closed: return
        }
        write(response, for: request)
        if case .http1 = state { processHTTP1(UnsafeRawBufferPointer(start: nil, count: 0)) }
        afterEvent()
    }

    private func write(_ response: HTTPServerResponse, for request: AnsweredRequest) {
        let keepAlive = request.keepAlive && !isShuttingDown
        let status = HTTP1ResponseSerializer.write(response.head, body: response.body, keepAlive: keepAlive, into: &staging)
        environment.observer?.requestHandled(
            path: request.path, status: status, protocolVersion: .http1_1)
        if !keepAlive {
            startClosing(linger: true)
        }
    }

    /// Answers a request the transport refuses (parse error, header-read timeout) with `status` and a one-line
    /// text body, then closes.
    func reject(status: HTTPResponse.Status, reason: String) {
        environment.observer?.requestRejected(status: status, protocolVersion: .http1_1)
        environment.logger.debug("request rejected", metadata: [
            "connection.peer": "\(peer)", "http.status": "\(status.code)", "http.reason": "\(reason)",
        ])
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        HTTP1ResponseSerializer.write(
            HTTPResponse(status: status, headerFields: fields), body: Array((reason + "\n").utf8), keepAlive: false, into: &staging)
        startClosing(linger: true)
    }
}
