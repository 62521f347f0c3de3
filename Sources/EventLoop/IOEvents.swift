internal import CLinuxShims

/// Readiness of a descriptor: what a handler is interested in, and what the loop reports to it.
public struct IOEvents: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Readable (or, for a listener, a connection is pending).
    public static let read = IOEvents(rawValue: 1 << 0)
    /// Writable.
    public static let write = IOEvents(rawValue: 1 << 1)
    /// The peer hung up (reported only, never requested). A read then answers end of file or an error.
    public static let hangup = IOEvents(rawValue: 1 << 2)
    /// An error is pending on the descriptor (reported only, never requested); the next I/O call throws it.
    public static let error = IOEvents(rawValue: 1 << 3)

    public var description: String {
        let names: [(IOEvents, String)] = [(.read, "read"), (.write, "write"), (.hangup, "hangup"), (.error, "error")]
        return "[" + names.filter { contains($0.0) }.map(\.1).joined(separator: ", ") + "]"
    }

    /// The epoll interest mask for `.read`/`.write` (level-triggered).
    var epollMask: UInt32 {
        (contains(.read) ? EPOLLIN.rawValue : 0) | (contains(.write) ? EPOLLOUT.rawValue : 0)
    }

    /// Decodes the events epoll reported.
    init(epollEvents: UInt32) {
        var events: IOEvents = []
        if epollEvents & (EPOLLIN.rawValue | EPOLLPRI.rawValue) != 0 { events.insert(.read) }
        if epollEvents & EPOLLOUT.rawValue != 0 { events.insert(.write) }
        if epollEvents & (EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 { events.insert(.hangup) }
        if epollEvents & EPOLLERR.rawValue != 0 { events.insert(.error) }
        self = events
    }
}
