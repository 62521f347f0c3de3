import EventLoop
import Glibc
import Synchronization
import Testing

@Suite struct SignalWatcherTests {
    @Test func deliversTermAndIntOnceEachOnTheLoop() async throws {
        let received = Mutex<[Signal]>([])
        try await withRunningLoop { loop in
            // The watcher blocks the signals on the loop thread; directing them at that thread keeps the rest
            // of the test process (whose threads do not block them) out of the way.
            let loopThread = try await loop.submit {
                _ = try SignalWatcher(signals: [.terminate, .interrupt], loop: loop) { signal in
                    precondition(loop.inEventLoop)
                    received.withLock { $0.append(signal) }
                }
                return UInt(pthread_self())
            }
            #expect(pthread_kill(pthread_t(loopThread), SIGTERM) == 0)
            #expect(await eventually { received.withLock { $0.count } == 1 })
            #expect(pthread_kill(pthread_t(loopThread), SIGINT) == 0)
            #expect(await eventually { received.withLock { $0.count } == 2 })
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(received.withLock { $0 } == [.terminate, .interrupt])
        #expect(Signal.terminate.description == "SIGTERM")
    }
}
