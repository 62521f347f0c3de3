import EventLoop
import Glibc
import Synchronization

/// The thread that handles requests with large bodies, one at a time, at a lower CPU priority than the
/// event loops (nice +10): decoding a 3 MiB review takes milliseconds, and when the machine is busy the
/// loops' small requests should get the cores first. Runs between the server's `start()` and `shutdown`.
final class LargeRequestWorker: Sendable {
    /// The nice value of the worker thread (Linux keeps one per thread).
    private static let niceness: Int32 = 10
    private let loop = Mutex<EventLoop?>(nil)

    /// Starts the thread.
    func start() throws(SystemError) {
        let worker = try EventLoop()
        try worker.start(name: "large-requests")
        worker.execute { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness) }
        loop.withLock { $0 = worker }
    }

    /// Queues `task` for the thread; false (and nothing queued) when the thread is not running.
    func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        guard let worker = loop.withLock({ $0 }) else { return false }
        return worker.execute(task)
    }

    /// Runs the tasks already queued, then ends the thread. Not from the worker itself.
    func stop() {
        let worker = loop.withLock { loop in
            defer { loop = nil }
            return loop
        }
        worker?.stop()
        worker?.waitUntilStopped()
    }
}
