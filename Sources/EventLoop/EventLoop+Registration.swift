internal import CLinuxShims
internal import Glibc

extension EventLoop {
    /// Watches `fd` for `interest` (`.read`, `.write`, both, or none yet) and calls `handler` on the loop
    /// thread with the ready events; `.hangup` and `.error` are always reported while `interest` is not empty.
    ///
    /// Level-triggered: readiness is reported again on every iteration until consumed, so a handler must read
    /// until `.wouldBlock`/EOF or drop `.read` interest, drop `.write` interest once it has nothing to send, and
    /// deregister and close on hangup or error. Call `deregister(fd:)` before closing `fd`. Loop thread only.
    public func register(fd: Int32, interest: IOEvents, handler: @escaping (IOEvents) -> Void) throws(SystemError) {
        preconditionInEventLoop()
        precondition(fd >= 0, "invalid descriptor \(fd)")
        let index = Int(fd)
        if index >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: index + 1 - registrations.count))
        }
        precondition(registrations[index] == nil, "descriptor \(fd) is already registered")
        lastGeneration = lastGeneration == UInt32.max ? 1 : lastGeneration + 1
        let registration = Registration(fd: fd, generation: lastGeneration, handler: handler)
        try apply(interest, to: registration)
        registrations[index] = registration
    }

    /// Changes the interest of a registered descriptor; `[]` pauses it (no events at all, not even hangup).
    /// Loop thread only.
    public func modify(fd: Int32, interest: IOEvents) throws(SystemError) {
        preconditionInEventLoop()
        guard fd >= 0, Int(fd) < registrations.count, let registration = registrations[Int(fd)] else {
            preconditionFailure("descriptor \(fd) is not registered")
        }
        try apply(interest, to: registration)
    }

    /// Stops watching `fd` and drops its handler; unknown descriptors are ignored. Loop thread only.
    public func deregister(fd: Int32) {
        preconditionInEventLoop()
        guard fd >= 0, Int(fd) < registrations.count, let registration = registrations[Int(fd)] else { return }
        registrations[Int(fd)] = nil
        guard registration.isArmed else { return }
        do throws(SystemError) {
            try control(EPOLL_CTL_DEL, fd: fd)
        } catch where error.errno == EBADF || error.errno == ENOENT {
            // The descriptor was closed before deregistering, which already removed it from the epoll set.
        } catch {
            assertionFailure("deregistering descriptor \(fd): \(error)")
        }
    }

    /// Arms, re-arms or disarms `registration` so that epoll watches exactly `interest`. An empty interest
    /// removes the descriptor from the epoll set so that a hung-up peer cannot make a paused handler spin.
    private func apply(_ interest: IOEvents, to registration: Registration) throws(SystemError) {
        let wanted = interest.intersection([.read, .write])
        if registration.isArmed, wanted == registration.interest { return }
        if wanted.isEmpty {
            if registration.isArmed { try control(EPOLL_CTL_DEL, fd: registration.fd) }
            registration.isArmed = false
        } else {
            let token = UInt64(registration.generation) << 32 | UInt64(UInt32(bitPattern: registration.fd))
            try control(registration.isArmed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd: registration.fd, mask: wanted.epollMask, token: token)
            registration.isArmed = true
        }
        registration.interest = wanted
    }
}

/// A descriptor's handler and current interest. `generation` tells a stale event (for a descriptor number
/// that was deregistered and reused within one `epoll_wait` batch) from a current one.
final class Registration {
    let fd: Int32
    let generation: UInt32
    let handler: (IOEvents) -> Void
    var interest: IOEvents = []
    var isArmed = false

    init(fd: Int32, generation: UInt32, handler: @escaping (IOEvents) -> Void) {
        self.fd = fd
        self.generation = generation
        self.handler = handler
    }
}
