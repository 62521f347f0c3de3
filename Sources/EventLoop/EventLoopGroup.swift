import Synchronization

/// A fixed set of running event loops, one thread each, handed out round-robin.
public final class EventLoopGroup: Sendable {
    /// The loops, all running.
    public let loops: [EventLoop]
    private let counter = Atomic<Int>(0)

    /// Creates and starts `threadCount` loops (threads named `event-loop-<n>`), all on `clock`.
    public init(threadCount: Int, clock: any MonotonicClock = SystemMonotonicClock()) throws(SystemError) {
        precondition(threadCount > 0, "an EventLoopGroup needs at least one thread")
        var loops: [EventLoop] = []
        do throws(SystemError) {
            for index in 0..<threadCount {
                let loop = try EventLoop(clock: clock)
                try loop.start(name: "event-loop-\(index)")
                loops.append(loop)
            }
        } catch {
            Self.stopAndJoin(loops)
            throw error
        }
        self.loops = loops
    }

    /// The next loop in round-robin order.
    public func next() -> EventLoop {
        loops[(counter.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max) % loops.count]
    }

    /// Stops every loop (each runs its queued tasks first) and waits for their threads to finish.
    /// Not from one of the group's loops.
    public func shutdownGracefully() {
        Self.stopAndJoin(loops)
    }

    private static func stopAndJoin(_ loops: [EventLoop]) {
        for loop in loops { loop.stop() }
        for loop in loops { loop.waitUntilStopped() }
    }
}
