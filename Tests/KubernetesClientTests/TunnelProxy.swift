import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP proxy on a loopback port that answers CONNECT with 200 (or with `refusal`) and relays
/// the tunnel to `127.0.0.1:targetPort`, whatever host the CONNECT names; records CONNECT heads.
final class TunnelProxy: Sendable {
    private let listener: LoopbackListener
    private let targetPort: Int
    private let refusal: String?
    private let heads = Mutex<[String]>([])

    init(targetPort: Int, refusal: String? = nil) throws {
        listener = try LoopbackListener()
        self.targetPort = targetPort
        self.refusal = refusal
        listener.acceptConnections { [self] client in tunnel(client) }
    }

    var port: Int { listener.port }

    /// CONNECT request heads received so far.
    var connectHeads: [String] { heads.withLock { $0 } }

    func stop() {
        listener.stop()
    }

    private func tunnel(_ client: Int32) {
        defer { close(client) }
        var head: [UInt8] = []
        while head.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
            var byte: UInt8 = 0
            guard recv(client, &byte, 1, 0) == 1 else { return }
            head.append(byte)
        }
        heads.withLock { $0.append(String(decoding: head, as: UTF8.self)) }
        if let refusal {
            _ = send(client, refusal, refusal.utf8.count, Int32(MSG_NOSIGNAL))
            return
        }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var address = LoopbackListener.address(port: targetPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        let answer = connected ? "HTTP/1.1 200 Connection established\r\n\r\n" : "HTTP/1.1 502 Bad Gateway\r\n\r\n"
        _ = send(client, answer, answer.utf8.count, Int32(MSG_NOSIGNAL))
        guard connected else { return }
        var descriptors = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while poll(&descriptors, 2, 10_000) > 0 {
            for (from, to) in [(0, 1), (1, 0)] where descriptors[from].revents != 0 {
                let count = recv(descriptors[from].fd, &buffer, buffer.count, 0)
                guard count > 0, send(descriptors[to].fd, buffer, count, Int32(MSG_NOSIGNAL)) == count else { return }
            }
        }
    }
}
