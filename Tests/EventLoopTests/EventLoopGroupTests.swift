import EventLoop
import Synchronization
import Testing

@Suite struct EventLoopGroupTests {
    @Test func nextIsRoundRobinOverDistinctRunningLoops() async throws {
        let group = try EventLoopGroup(threadCount: 3)
        defer { group.shutdownGracefully() }
        let picks = (0..<6).map { _ in group.next() }
        for index in 0..<3 {
            #expect(picks[index] === group.loops[index])
            #expect(picks[index + 3] === group.loops[index])
        }
        for loop in group.loops {
            #expect(try await loop.submit { loop.inEventLoop })
            #expect(!loop.inEventLoop)
        }
    }

    @Test func shutdownRunsQueuedTasksAndJoins() async throws {
        let group = try EventLoopGroup(threadCount: 2)
        let ran = Atomic<Int>(0)
        for loop in group.loops {
            #expect(loop.execute { ran.add(1, ordering: .relaxed) })
        }
        group.shutdownGracefully()
        #expect(ran.load(ordering: .relaxed) == 2)
        for loop in group.loops {
            #expect(!loop.execute {})
        }
    }
}
