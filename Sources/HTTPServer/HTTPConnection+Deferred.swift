import Synchronization

/// What a connection remembers of a request until its response is written: for the observer and,
/// on HTTP/1.1, whether the client keeps the connection.
struct AnsweredRequest: Sendable {
    var path: String
    var keepAlive: Bool
}

extension HTTPConnection {
    /// Requests with a body at least this large are handled off the loop.
    static let largeRequestBytes = 256 << 10

    /// Hands `request` to the handler: on the loop, or, for a large body (a 3 MiB review takes the
    /// handler milliseconds to decode), on the server's `LargeRequestWorker`, so that the other requests of
    /// this loop are not held up meanwhile (on the loop after all when the worker is not running). The body
    /// stays charged to the memory budget until the handler has returned; a deferred answer of the
    /// handler's own is started back on the loop.
    func handle(_ request: HTTPServerRequest) -> HTTPHandlerAnswer {
        requestsReceived += 1
        guard request.body.count >= Self.largeRequestBytes else { return environment.handler.handle(request) }
        let (handler, budget, loop, size) = (environment.handler, environment.memoryBudget, loop, request.body.count)
        budget?.forceCharge(size)
        return .later { [worker = environment.largeRequestWorker] responder in
            let task: @Sendable () -> Void = {
                let answer = handler.handle(request)
                budget?.release(size)
                switch answer {
                case .now(let response): responder.respond(response)
                case .later(let start): loop.execute { start(responder) }
                }
            }
            if !worker.execute(task) { task() }
        }
    }

    /// A responder for a deferred answer: its first response hops onto this connection's loop and
    /// reaches `deliver` unless the connection has closed by then (the answer is dropped).
    ///
    /// Maintainers' note: the responder keeps the connection object (not its socket) alive until it
    /// answers; `pendingAnswers` keeps a closing connection open for the answers it still owes, and the
    /// idle deadline bounds a handler that never answers.
    func makeResponder(_ deliver: @escaping @Sendable (HTTPConnection, HTTPServerResponse) -> Void) -> HTTPResponder {
        let connection = LoopBound(self, on: loop)
        let answered = AnsweredOnce()
        return HTTPResponder { response in
            guard answered.claim() else { return }
            connection.loop.execute {
                let connection = connection.value
                if case .closed = connection.state {
                    connection.pendingAnswers -= 1
                    return
                }
                deliver(connection, response)
            }
        }
    }
}

/// Lets only the first of a responder's answers through.
private final class AnsweredOnce: Sendable {
    private let done = Atomic<Bool>(false)

    /// True for the first caller only.
    func claim() -> Bool {
        !done.exchange(true, ordering: .acquiringAndReleasing)
    }
}
