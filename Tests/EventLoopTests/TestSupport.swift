import EventLoop
import Foundation
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: MonotonicClock {
    private let current = Atomic<UInt64>(1_000_000_000)

    func nanoseconds() -> UInt64 { current.load(ordering: .acquiring) }

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        current.add(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000), ordering: .releasing)
    }
}

/// Hands a non-Sendable value (a socket) to another thread; the sender must not touch it afterwards.
struct Handover<Value>: @unchecked Sendable {
    let value: Value
}

/// Runs blocking work on a thread of its own so it cannot starve Swift Testing's cooperative pool.
func onThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
    }
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes; answers whether it held.
func eventually(within timeout: Duration = .seconds(1), _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Creates, starts and (via `withRunningLoop`) always stops a loop around a test body.
func withRunningLoop<Result>(
    clock: any MonotonicClock = SystemMonotonicClock(), _ body: (EventLoop) async throws -> Result
) async throws -> Result {
    let loop = try EventLoop(clock: clock)
    try loop.start(name: "test-loop")
    defer {
        loop.stop()
        loop.waitUntilStopped()
    }
    return try await body(loop)
}

/// Gives a blocking socket 5 s send/receive timeouts so a broken test fails instead of hanging.
func setBlockingTimeouts(_ socket: Socket) {
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
        setsockopt(socket.fileDescriptor, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}

/// Sets an integer socket option in a test (e.g. a small `SO_SNDBUF`).
func setIntegerOption(_ descriptor: Int32, _ name: Int32, _ value: Int32) {
    var value = value
    setsockopt(descriptor, SOL_SOCKET, name, &value, socklen_t(MemoryLayout<Int32>.size))
}

extension Socket {
    /// Writes all of `bytes` on a blocking socket.
    func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            guard case .processed(let count) = try write(bytes, from: offset) else { throw SystemError(call: "send (timed out)", errno: EAGAIN) }
            offset += count
        }
    }

    /// Reads exactly `count` bytes from a blocking socket (fewer if the peer closes first).
    func read(exactly count: Int) throws -> [UInt8] {
        var received: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while received.count < count {
            let wanted = min(chunk.count, count - received.count)
            switch try read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<wanted])) {
            case .wouldBlock: throw SystemError(call: "read (timed out)", errno: EAGAIN)
            case .processed(0): return received
            case .processed(let read): received.append(contentsOf: chunk[..<read])
            }
        }
        return received
    }
}

/// Deterministic test bytes: a pattern that differs per `seed` and per position.
func patternBytes(count: Int, seed: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8 &+ seed &* 7) }
}
