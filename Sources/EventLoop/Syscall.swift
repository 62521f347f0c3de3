internal import Glibc

/// Runs a system call that reports failure as -1 with `errno`: retries `EINTR`, answers `.wouldBlock` for
/// `EAGAIN`/`EWOULDBLOCK`, and throws any other errno as a `SystemError` named `call`.
@inline(__always)
func syscall<Result: SignedInteger & FixedWidthInteger>(
    _ call: StaticString, _ body: () -> Result
) throws(SystemError) -> IOResult<Result> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        switch errno {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        case let code: throw SystemError(call: "\(call)", errno: code)
        }
    }
}

/// `syscall` for calls that cannot legitimately "would block" (bind, listen, epoll_ctl, ...): a would-block
/// answer is thrown as `EAGAIN`.
@inline(__always)
func checkedSyscall<Result: SignedInteger & FixedWidthInteger>(
    _ call: StaticString, _ body: () -> Result
) throws(SystemError) -> Result {
    switch try syscall(call, body) {
    case .processed(let value): return value
    case .wouldBlock: throw SystemError(call: "\(call)", errno: EAGAIN)
    }
}

/// Sets an integer socket option (`SO_REUSEADDR`, `TCP_NODELAY`, ...).
func setSocketOption(_ descriptor: Int32, level: Int32, name: Int32, value: Int32) throws(SystemError) {
    var value = value
    _ = try checkedSyscall("setsockopt") {
        setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}
