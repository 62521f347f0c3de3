internal import CLinuxShims
internal import Glibc
import Synchronization

/// One thread running one level-triggered epoll set: I/O readiness handlers, timers and tasks sent from other
/// threads.
///
/// Each iteration waits in `epoll_wait` (timeout: the earliest timer), calls the handlers of ready descriptors,
/// runs the expired timers, then runs the tasks `execute` queued. Level-triggered readiness keeps handlers
/// simple: a handler may read or write as much as it likes, and whatever is left is reported again.
///
/// Maintainers' note on `@unchecked Sendable`: the registration table, the timer heap and the buffers are
/// touched only on the loop thread (`register`, `modify`, `deregister`, `scheduleTimer`, `cancelTimer` check
/// `inEventLoop`); other threads reach the loop only through `execute`/`submit` (a `Mutex`-guarded queue plus
/// an eventfd wakeup) and `stop` (an atomic flag plus the same wakeup). Keep it that way when adding API.
public final class EventLoop: @unchecked Sendable {
    /// The clock deadlines are measured with.
    public let clock: any MonotonicClock
    /// A 64 KiB buffer for reads on the loop thread (e.g. socket to TLS); its contents are overwritten by
    /// the next user, so consume them before returning to the loop.
    public let scratchBuffer: UnsafeMutableRawBufferPointer

    private let epoll: FileDescriptor
    private let wakeup: FileDescriptor
    private let loopThreadID = Atomic<UInt>(0)
    private let hasRun = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let queue = Mutex(TaskQueue())
    private let thread = Mutex<LoopThread?>(nil)

    /// Iterations run so far (loop thread only): handlers can ration work per iteration with it.
    public private(set) var iteration: UInt64 = 0

    // Loop-thread state.
    var registrations: [Registration?] = []
    var lastGeneration: UInt32 = 0
    var timers = TimerQueue()
    private let readyEvents: UnsafeMutableBufferPointer<epoll_event>

    /// `epoll_data` of the wakeup eventfd; registrations use (generation << 32 | fd) with generation >= 1.
    private static let wakeupToken = UInt64.max

    private struct TaskQueue {
        var pending: [@Sendable () -> Void] = []
        var wakeupPending = false
        var isClosed = false
    }

    /// Creates the epoll set and wakeup eventfd; nothing runs until `run()` or `start()`.
    public init(clock: any MonotonicClock = SystemMonotonicClock()) throws(SystemError) {
        self.clock = clock
        let epoll = FileDescriptor(try checkedSyscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) })
        let wakeup = FileDescriptor(try checkedSyscall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) })
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeupToken
        let (epollFD, wakeupFD) = (epoll.rawValue, wakeup.rawValue)
        _ = try checkedSyscall("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeupFD, &event) }
        self.epoll = epoll
        self.wakeup = wakeup
        self.readyEvents = .allocate(capacity: 256)
        self.scratchBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        readyEvents.deallocate()
        scratchBuffer.deallocate()
    }

    /// Whether the caller is running on this loop's thread.
    public var inEventLoop: Bool {
        loopThreadID.load(ordering: .acquiring) == pthread_self()
    }

    /// Monotonic nanoseconds from `clock` (for deadlines the server computes itself).
    public func now() -> UInt64 {
        clock.nanoseconds()
    }

    /// Runs the loop on the calling thread until `stop()`; then runs the tasks still queued and drops all
    /// registrations and timers (without closing any descriptor: their owners do that).
    public func run() {
        precondition(!hasRun.exchange(true, ordering: .acquiringAndReleasing), "EventLoop.run() may be called once")
        loopThreadID.store(pthread_self(), ordering: .releasing)
        while !stopRequested.load(ordering: .acquiring) {
            runIteration()
        }
        let remaining = queue.withLock { queue in
            queue.isClosed = true
            defer { queue.pending = [] }
            return queue.pending
        }
        for task in remaining { task() }
        registrations.removeAll()
        timers.removeAll()
        loopThreadID.store(0, ordering: .releasing)
    }

    /// Starts a thread named `name` that calls `run()`; returns at once.
    public func start(name: String = "event-loop") throws(SystemError) {
        let started = try LoopThread(name: name) { self.run() }
        thread.withLock { $0 = started }
    }

    /// Asks the loop to finish its current iteration and return from `run()`; callable from any thread.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        signalWakeup()
    }

    /// Waits until the thread `start()` created has finished (call `stop()` first). Not on the loop itself.
    public func waitUntilStopped() {
        precondition(!inEventLoop, "waitUntilStopped() on the loop thread would never return")
        let started = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        started?.join()
    }

    /// Queues `task` to run on the loop thread, from any thread; answers false (and drops the task) once
    /// the loop has shut down.
    @discardableResult
    public func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        let outcome: (accepted: Bool, wake: Bool) = queue.withLock { queue in
            guard !queue.isClosed else { return (false, false) }
            queue.pending.append(task)
            guard !queue.wakeupPending else { return (true, false) }
            queue.wakeupPending = true
            return (true, true)
        }
        if outcome.wake { signalWakeup() }
        return outcome.accepted
    }

    /// Runs `body` on the loop thread and returns its result; throws `EventLoopError.shutDown` if the loop
    /// has shut down.
    @discardableResult
    public func submit<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = execute {
                continuation.resume(with: Swift.Result { try body() })
            }
            if !accepted { continuation.resume(throwing: EventLoopError.shutDown) }
        }
    }

    /// Stops with a precondition failure unless called on the loop thread.
    @inline(__always)
    func preconditionInEventLoop(_ function: StaticString = #function) {
        precondition(inEventLoop, "EventLoop.\(function) must be called on the loop thread")
    }

    /// Adds, changes or removes the epoll entry of `fd`.
    func control(_ operation: Int32, fd: Int32, mask: UInt32 = 0, token: UInt64 = 0) throws(SystemError) {
        var event = epoll_event()
        event.events = mask
        event.data.u64 = token
        let epollFD = epoll.rawValue
        _ = try checkedSyscall("epoll_ctl") { epoll_ctl(epollFD, operation, fd, &event) }
    }

    private func runIteration() {
        iteration &+= 1
        let count: Int32
        do {
            let (epollFD, buffer, timeout) = (epoll.rawValue, readyEvents, epollTimeout())
            count = try checkedSyscall("epoll_wait") { epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout) }
        } catch {
            preconditionFailure("event loop cannot wait: \(error)")
        }
        var woken = false
        for index in 0..<Int(count) {
            let event = readyEvents[index]
            if event.data.u64 == Self.wakeupToken {
                woken = true
            } else {
                dispatch(token: event.data.u64, events: event.events)
            }
        }
        runExpiredTimers()
        if woken { runTasks() }
    }

    private func dispatch(token: UInt64, events: UInt32) {
        let index = Int(UInt32(truncatingIfNeeded: token))
        guard index < registrations.count, let registration = registrations[index],
              registration.generation == UInt32(truncatingIfNeeded: token >> 32) else { return }
        registration.handler(IOEvents(epollEvents: events))
    }

    private func epollTimeout() -> Int32 {
        guard let deadline = timers.nextDeadline() else { return -1 }
        let now = clock.nanoseconds()
        guard deadline > now else { return 0 }
        return Int32(clamping: (deadline - now + 999_999) / 1_000_000)
    }

    private func runExpiredTimers() {
        guard timers.count > 0 else { return }
        let (now, idLimit) = (clock.nanoseconds(), timers.nextID)
        while let body = timers.popExpired(now: now, idLimit: idLimit) { body() }
    }

    private func runTasks() {
        var counter: UInt64 = 0
        let wakeupFD = wakeup.rawValue
        // Nothing to handle: a would-block read only means another iteration already drained the counter.
        _ = try? syscall("read") { Glibc.read(wakeupFD, &counter, 8) }
        let batch = queue.withLock { queue in
            queue.wakeupPending = false
            defer { queue.pending = [] }
            return queue.pending
        }
        for task in batch { task() }
    }

    private func signalWakeup() {
        var one: UInt64 = 1
        let wakeupFD = wakeup.rawValue
        // Cannot fail short of the 2^64 - 2 counter limit, which a drained eventfd never approaches.
        _ = try? syscall("write") { Glibc.write(wakeupFD, &one, 8) }
    }
}
