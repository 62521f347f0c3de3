/// Accepts connections from a `ListeningSocket` on an event loop and hands each one to `onAccept`.
///
/// Each readiness report accepts at most `maxAcceptsPerWakeup` connections so that accepting cannot starve
/// established connections (the level-triggered loop reports the rest next iteration). When `accept` fails,
/// typically `EMFILE`/`ENFILE` (out of descriptors), the error goes to `onError` and the listener is paused for
/// `backoff`: the pending connections wait in the kernel backlog instead of the loop spinning on a listener it
/// cannot drain, and accepting resumes once descriptors may have been freed.
///
/// Its loop registration keeps it alive until `stop()` (or the loop shuts down).
public final class Acceptor {
    private let listener: ListeningSocket
    private let loop: EventLoop
    private let maxAcceptsPerWakeup: Int
    private let backoff: Duration
    private let onError: (SystemError) -> Void
    private let onAccept: (Socket) -> Void
    private var resumeTimer: TimerID?
    private var isRunning = false

    /// Prepares to accept on `loop`; call `start()` on the loop thread. The acceptor owns `listener`.
    public init(
        listener: ListeningSocket, loop: EventLoop, maxAcceptsPerWakeup: Int = 64, backoff: Duration = .milliseconds(100),
        onError: @escaping (SystemError) -> Void, onAccept: @escaping (Socket) -> Void
    ) {
        self.listener = listener
        self.loop = loop
        self.maxAcceptsPerWakeup = maxAcceptsPerWakeup
        self.backoff = backoff
        self.onError = onError
        self.onAccept = onAccept
    }

    /// The listener's bound port.
    public var port: Int { listener.port }

    /// Starts accepting. Loop thread only.
    public func start() throws(SystemError) {
        try loop.register(fd: listener.fileDescriptor, interest: .read) { [self] _ in acceptPending() }
        isRunning = true
    }

    /// Stops accepting and closes the listener; connections already accepted are not affected. Loop thread only.
    public func stop() {
        guard isRunning else { return }
        isRunning = false
        if let resumeTimer { loop.cancelTimer(resumeTimer) }
        loop.deregister(fd: listener.fileDescriptor)
        listener.close()
    }

    private func acceptPending() {
        for _ in 0..<maxAcceptsPerWakeup {
            do throws(SystemError) {
                switch try listener.accept() {
                case .wouldBlock: return
                case .processed(let socket): onAccept(socket)
                }
            } catch {
                onError(error)
                pause()
                return
            }
            // onAccept may have stopped the acceptor.
            guard isRunning else { return }
        }
    }

    private func pause() {
        guard isRunning, setInterest([]) else { return }
        resumeTimer = loop.scheduleTimer(after: backoff) { [self] in
            resumeTimer = nil
            setInterest(.read)
        }
    }

    /// Changes the listener's interest; a failure (only kernel memory exhaustion can cause one) is reported
    /// and stops the acceptor.
    @discardableResult
    private func setInterest(_ interest: IOEvents) -> Bool {
        do throws(SystemError) {
            try loop.modify(fd: listener.fileDescriptor, interest: interest)
            return true
        } catch {
            onError(error)
            stop()
            return false
        }
    }
}
