import EventLoop
import Foundation
import Synchronization
import Testing

@Suite struct EventLoopTests {
    /// What the cross-thread tasks record: how often each ran, and how many ran off the loop thread.
    private final class TaskLedger: Sendable {
        let runs: Mutex<[Int]>
        let offLoop = Atomic<Int>(0)

        init(count: Int) {
            runs = Mutex([Int](repeating: 0, count: count))
        }
    }

    @Test func tasksFromEightThreadsRunExactlyOnceOnTheLoop() async throws {
        let (threads, perThread) = (8, 1000)
        let ledger = TaskLedger(count: threads * perThread)
        try await withRunningLoop { loop in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for thread in 0..<threads {
                    group.addTask { [ledger] in
                        try await onThread {
                            for index in 0..<perThread {
                                let accepted = loop.execute {
                                    if !loop.inEventLoop { ledger.offLoop.add(1, ordering: .relaxed) }
                                    ledger.runs.withLock { $0[thread * perThread + index] += 1 }
                                }
                                precondition(accepted)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Tasks run in queue order, so once this one has run all earlier ones have.
            try await loop.submit {}
        }
        #expect(ledger.runs.withLock { $0.allSatisfy { $0 == 1 } })
        #expect(ledger.offLoop.load(ordering: .relaxed) == 0)
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let clock = ManualClock()
        let fired = Mutex<[String]>([])
        try await withRunningLoop(clock: clock) { loop in
            try await loop.submit {
                let record = { (name: String) in { fired.withLock { $0.append(name) } } }
                loop.scheduleTimer(after: .milliseconds(30), record("c"))
                loop.scheduleTimer(after: .milliseconds(10), record("a"))
                let cancelled = loop.scheduleTimer(after: .milliseconds(15), record("cancelled"))
                loop.scheduleTimer(after: .milliseconds(20), record("b1"))
                loop.scheduleTimer(after: .milliseconds(20), record("b2"))
                #expect(loop.cancelTimer(cancelled))
                #expect(!loop.cancelTimer(cancelled))
            }
            // Each iteration runs expired timers before queued tasks, so a submit sees the timers due by then.
            #expect(try await loop.submit { fired.withLock { $0 } } == [])
            clock.advance(by: .milliseconds(25))
            #expect(try await loop.submit { fired.withLock { $0 } } == ["a", "b1", "b2"])
            clock.advance(by: .seconds(1))
            #expect(try await loop.submit { fired.withLock { $0 } } == ["a", "b1", "b2", "c"])
        }
    }

    @Test func aTimerCanRescheduleItselfWithoutStarvingTheLoop() async throws {
        let clock = ManualClock()
        let ticks = Atomic<Int>(0)
        try await withRunningLoop(clock: clock) { loop in
            try await loop.submit {
                func tick() {
                    ticks.add(1, ordering: .relaxed)
                    loop.scheduleTimer(after: .zero, tick)
                }
                loop.scheduleTimer(after: .zero, tick)
            }
            #expect(await eventually { ticks.load(ordering: .relaxed) > 10 })
            try await loop.submit {}
        }
    }

    @Test func realShortTimerFiresAfterItsDelay() async throws {
        let firedAfter = Mutex<Duration?>(nil)
        try await withRunningLoop { loop in
            let start = ContinuousClock.now
            try await loop.submit {
                loop.scheduleTimer(after: .milliseconds(20)) { firedAfter.withLock { $0 = ContinuousClock.now - start } }
            }
            #expect(await eventually { firedAfter.withLock { $0 } != nil })
        }
        let elapsed = try #require(firedAfter.withLock { $0 })
        #expect(elapsed >= .milliseconds(20))
        #expect(elapsed < .seconds(1))
    }

    @Test func emptyInterestPausesAndModifyResumes() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd); close(writeEnd) }
        #expect(write(writeEnd, "x", 1) == 1)
        let events = Mutex<[IOEvents]>([])
        try await withRunningLoop { loop in
            try await loop.submit {
                try loop.register(fd: readEnd, interest: []) { ready in events.withLock { $0.append(ready) } }
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(events.withLock { $0.isEmpty }, "a paused descriptor reports nothing")
            try await loop.submit { try loop.modify(fd: readEnd, interest: .read) }
            #expect(await eventually { !events.withLock { $0.isEmpty } })
            try await loop.submit { loop.deregister(fd: readEnd) }
            let seen = events.withLock { $0.count }
            try await Task.sleep(for: .milliseconds(50))
            #expect(events.withLock { $0.count } == seen, "a deregistered descriptor reports nothing")
        }
        #expect(events.withLock { $0.allSatisfy { $0 == .read } })
    }

    @Test func hangupIsReported() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        let events = Mutex<IOEvents>([])
        try await withRunningLoop { loop in
            try await loop.submit {
                try loop.register(fd: readEnd, interest: .read) { ready in
                    events.withLock { $0 = ready }
                    loop.deregister(fd: readEnd)
                }
            }
            close(writeEnd)
            #expect(await eventually { events.withLock { $0.contains(.hangup) } })
        }
    }

    @Test func afterStopExecuteIsRefusedAndSubmitThrows() async throws {
        let loop = try EventLoop()
        try loop.start()
        let ran = Atomic<Bool>(false)
        #expect(try await loop.submit { loop.inEventLoop })
        loop.stop()
        loop.waitUntilStopped()
        let accepted = loop.execute { ran.store(true, ordering: .relaxed) }
        #expect(!accepted)
        await #expect(throws: EventLoopError.shutDown) { try await loop.submit {} }
        let didRun = ran.load(ordering: .relaxed)
        #expect(!didRun)
        #expect(!loop.inEventLoop)
    }

    @Test func runBlocksTheCallingThreadUntilStop() async throws {
        let loop = try EventLoop()
        let finished = Atomic<Bool>(false)
        Thread {
            loop.run()
            finished.store(true, ordering: .releasing)
        }.start()
        #expect(try await loop.submit { loop.inEventLoop })
        let finishedEarly = finished.load(ordering: .acquiring)
        #expect(!finishedEarly)
        loop.stop()
        #expect(await eventually { finished.load(ordering: .acquiring) })
    }
}
