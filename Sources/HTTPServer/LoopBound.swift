import EventLoop

/// A loop-confined object that may be referenced from other threads but is used only on `loop`.
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    let loop: EventLoop
    private let storage: Value

    init(_ value: Value, on loop: EventLoop) {
        self.loop = loop
        self.storage = value
    }

    /// The object; on the loop thread only.
    var value: Value {
        precondition(loop.inEventLoop, "loop-bound object used off its loop")
        return storage
    }
}
