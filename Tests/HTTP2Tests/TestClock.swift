/// A monotonic clock the tests move by hand.
final class TestClock {
    var nanoseconds: UInt64 = 1_000_000_000

    func advance(seconds: Double) {
        nanoseconds += UInt64(seconds * 1_000_000_000)
    }
}
