import Foundation
import Glibc
import TLSTestSupport

/// A blocking TCP client for feeding the server exact bytes (malformed requests, dribbling, pipelining).
/// One thread may send while another reads.
final class RawClient: @unchecked Sendable {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw ExternalTool.Failure(message: "connect: errno \(errno)")
        }
    }

    deinit {
        Glibc.close(fd)
    }

    /// Makes closing this client (its deinit) reset the connection instead of a graceful FIN.
    func resetOnClose() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    func send(_ text: String) {
        send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Reads until the peer closes (or resets) the connection or `timeout` passes.
    func readUntilClosed(timeout: Duration = .seconds(5)) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let closed = read(into: &received, timeout: timeout) { _ in false }
        return (String(decoding: received, as: UTF8.self), closed)
    }

    /// Reads until the text received contains `marker` `count` times, the peer closes, or `timeout` passes.
    func read(until marker: String, count: Int = 1, timeout: Duration = .seconds(5)) -> String {
        var received: [UInt8] = []
        _ = read(into: &received, timeout: timeout) { bytes in
            String(decoding: bytes, as: UTF8.self).components(separatedBy: marker).count - 1 >= count
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the peer closes the connection within `timeout` without sending anything first.
    func isClosedByPeer(within timeout: Duration) -> Bool {
        readUntilClosed(timeout: timeout) == ("", true)
    }

    /// Appends what arrives to `received` until `done` says so (false returned) or the peer closes (true).
    private func read(into received: inout [UInt8], timeout: Duration, done: ([UInt8]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !done(received) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
            received.append(contentsOf: buffer[..<count])
        }
        return false
    }
}
