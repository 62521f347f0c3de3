import EventLoop
import Foundation
import HTTPServer
import Logging
import Synchronization

/// SIGTERM handling (SPEC §4): readiness fails at once; after `delay` the listeners stop
/// accepting; in-flight requests get `grace` to finish; then `finished` is called. A second
/// signal skips the delay.
final class ShutdownSequence: Sendable {
    private let state: WebhookState
    private let servers: [HTTPServer]
    private let loop: EventLoop
    private let logger: Logger
    private let delay: Duration
    private let grace: Duration
    private let finished: @Sendable () -> Void
    private let signalsSeen = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)

    init(state: WebhookState, servers: [HTTPServer], loop: EventLoop, logger: Logger, delay: Duration, grace: Duration,
         finished: @escaping @Sendable () -> Void) {
        self.state = state
        self.servers = servers
        self.loop = loop
        self.logger = logger
        self.delay = delay
        self.grace = grace
        self.finished = finished
    }

    /// Starts (or, on a second signal, hurries) the sequence. Called on the loop thread.
    func begin(after signal: Signal) {
        let count = signalsSeen.add(1, ordering: .relaxed).newValue
        if count == 1 {
            logger.info("received \(signal): not ready from now on; closing listeners in \(delay)")
            state.beginShutdown()
            _ = loop.scheduleTimer(after: delay) { [self] in closeListeners() }
        } else {
            logger.info("received \(signal) again: closing listeners now")
            closeListeners()
        }
    }

    private func closeListeners() {
        guard !closing.exchange(true, ordering: .relaxed) else { return }
        for server in servers { server.stopAccepting() }
        logger.info("listeners closed; waiting up to \(grace) for in-flight requests")
        let servers = servers, grace = grace, finished = finished
        Thread.detachNewThread {
            for server in servers { server.shutdown(grace: grace) }
            finished()
        }
    }
}
