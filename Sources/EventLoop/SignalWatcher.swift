internal import CLinuxShims
internal import Glibc

/// A POSIX signal number.
public struct Signal: Sendable, Hashable, CustomStringConvertible {
    /// The signal number, e.g. `SIGTERM`.
    public let rawValue: Int32

    /// Wraps a signal number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `SIGTERM`: Kubernetes asks the pod to stop.
    public static let terminate = Signal(rawValue: SIGTERM)
    /// `SIGINT`: Ctrl-C.
    public static let interrupt = Signal(rawValue: SIGINT)

    public var description: String {
        switch rawValue {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(rawValue)"
        }
    }
}

/// Delivers signals to a handler on an event loop through a signalfd.
///
/// A signalfd only sees signals that are blocked, and a process-directed signal goes to any thread that does
/// not block it, so every thread must block the watched signals: call `SignalWatcher.block(_:)` first thing in
/// `main`, before any thread exists (threads inherit the mask). The watcher also blocks them on its loop thread.
/// Its loop registration keeps it alive until `stop()` (or the loop shuts down).
public final class SignalWatcher {
    private let loop: EventLoop
    private var descriptor: FileDescriptor
    private let handler: (Signal) -> Void

    /// Blocks `signals` on the calling thread (and every thread it creates afterwards).
    public static func block(_ signals: [Signal]) throws(SystemError) {
        var set = signalSet(signals)
        let result = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard result == 0 else { throw SystemError(call: "pthread_sigmask", errno: result) }
    }

    /// Starts calling `handler` once per received signal among `signals`. Loop thread only.
    public init(signals: [Signal], loop: EventLoop, handler: @escaping (Signal) -> Void) throws(SystemError) {
        loop.preconditionInEventLoop()
        try Self.block(signals)
        var set = Self.signalSet(signals)
        self.descriptor = FileDescriptor(try checkedSyscall("signalfd") {
            signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        })
        self.loop = loop
        self.handler = handler
        try loop.register(fd: descriptor.rawValue, interest: .read) { [self] _ in deliverPending() }
    }

    /// Stops watching; the signals stay blocked. Loop thread only.
    public func stop() {
        loop.deregister(fd: descriptor.rawValue)
        descriptor.close()
    }

    private func deliverPending() {
        var info = signalfd_siginfo()
        let fd = descriptor.rawValue
        while descriptor.isOpen {
            let result: IOResult<Int>
            do throws(SystemError) {
                result = try syscall("read") { Glibc.read(fd, &info, MemoryLayout<signalfd_siginfo>.size) }
            } catch {
                // A signalfd read fails only on a bad buffer or descriptor, which this class rules out.
                preconditionFailure("\(error)")
            }
            guard case .processed = result else { return }
            handler(Signal(rawValue: Int32(info.ssi_signo)))
        }
    }

    private static func signalSet(_ signals: [Signal]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal.rawValue) }
        return set
    }
}
