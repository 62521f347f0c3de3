@testable import EventLoop
import Testing

@Suite struct TimerQueueTests {
    private func drain(_ queue: inout TimerQueue, now: UInt64) -> Int {
        var count = 0
        while let body = queue.popExpired(now: now, idLimit: queue.nextID) {
            body()
            count += 1
        }
        return count
    }

    @Test func popsByDeadlineThenSchedulingOrder() {
        var queue = TimerQueue()
        var order: [Int] = []
        for (index, deadline) in [50, 10, 30, 10, 20, 50, 5].enumerated() {
            _ = queue.schedule(deadline: UInt64(deadline)) { order.append(index) }
        }
        #expect(queue.nextDeadline() == 5)
        #expect(drain(&queue, now: 25) == 4)
        #expect(order == [6, 1, 3, 4])
        #expect(queue.nextDeadline() == 30)
        #expect(drain(&queue, now: 100) == 3)
        #expect(order == [6, 1, 3, 4, 2, 0, 5])
        #expect(queue.nextDeadline() == nil)
    }

    @Test func cancelledTimersAreSkippedAndCompacted() {
        var queue = TimerQueue()
        var fired: [UInt64] = []
        let timers = (0..<5000).map { deadline in
            queue.schedule(deadline: UInt64(deadline)) { fired.append(UInt64(deadline)) }
        }
        for (index, timer) in timers.enumerated() where index % 500 != 499 {
            let cancelled = queue.cancel(timer)
            #expect(cancelled)
        }
        #expect(queue.count == 10)
        let cancelledTwice = queue.cancel(timers[0])
        #expect(!cancelledTwice)
        #expect(queue.nextDeadline() == 499)
        #expect(drain(&queue, now: .max) == 10)
        #expect(fired == stride(from: 499, to: 5000, by: 500).map(UInt64.init))
    }

    @Test func idLimitHoldsBackTimersScheduledDuringARun() {
        var queue = TimerQueue()
        _ = queue.schedule(deadline: 1) {}
        let limit = queue.nextID
        _ = queue.schedule(deadline: 0) {}
        #expect(queue.popExpired(now: 10, idLimit: limit) == nil)
        #expect(queue.popExpired(now: 10, idLimit: queue.nextID) != nil)
    }
}
