extension EventLoop {
    /// Runs `body` on the loop thread once `delay` has passed on `clock`; timers due at the same instant run
    /// in the order they were scheduled. Loop thread only.
    @discardableResult
    public func scheduleTimer(after delay: Duration, _ body: @escaping () -> Void) -> TimerID {
        preconditionInEventLoop()
        let (deadline, overflow) = clock.nanoseconds().addingReportingOverflow(delay.clampedNanoseconds)
        return timers.schedule(deadline: overflow ? .max : deadline, body)
    }

    /// Cancels a timer so its body never runs; answers false if it already ran or was cancelled. Loop thread only.
    @discardableResult
    public func cancelTimer(_ timer: TimerID) -> Bool {
        preconditionInEventLoop()
        return timers.cancel(timer)
    }
}
