internal import Glibc

/// A non-blocking TCP connection used by one blocking transfer at a time; every wait goes through a
/// `TransferLimit`, so deadlines and cancellation hold while connecting, sending and receiving.
final class ClientSocket {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Connects to `host:port`, trying each resolved address in turn, with TCP keepalive on
    /// (first probe after 30 s idle, then every 10 s) so a dead peer ends a quiet watch.
    static func connect(host: String, port: Int, limit: TransferLimit) throws(KubernetesClientError) -> ClientSocket {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let list else {
            throw .transport(call: "getaddrinfo", code: Int(resolved), message: "\(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var failure = KubernetesClientError.transport(call: "connect", code: 0, message: "\(host) has no address")
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry?.pointee {
            entry = address.ai_next
            do {
                return try connect(to: address, named: "\(host):\(port)", limit: limit)
            } catch .cancelled {
                throw .cancelled
            } catch {
                failure = error
            }
        }
        throw failure
    }

    private static func connect(to address: addrinfo, named name: String, limit: TransferLimit) throws(KubernetesClientError) -> ClientSocket {
        let descriptor = socket(address.ai_family, address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), address.ai_protocol)
        guard descriptor >= 0 else { throw systemError("socket", name) }
        let socket = ClientSocket(descriptor: descriptor)
        for (level, option, value) in [(SOL_SOCKET, SO_KEEPALIVE, 1), (Int32(IPPROTO_TCP), TCP_KEEPIDLE, 30), (Int32(IPPROTO_TCP), TCP_KEEPINTVL, 10), (Int32(IPPROTO_TCP), TCP_NODELAY, 1)] {
            var value = Int32(value)
            guard setsockopt(descriptor, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw systemError("setsockopt", name)
            }
        }
        if Glibc.connect(descriptor, address.ai_addr, address.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw systemError("connect", name) }
            try limit.wait(for: Int16(POLLOUT), on: descriptor, call: "connect")
            var result: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &result, &length) == 0 else { throw systemError("getsockopt", name) }
            guard result == 0 else {
                throw .transport(call: "connect", code: Int(result), message: "\(name): \(String(cString: strerror(result)))")
            }
        }
        return socket
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8], limit: TransferLimit) throws(KubernetesClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EINTR {
                try limit.wait(for: Int16(POLLOUT), on: descriptor, call: "send")
            } else {
                throw Self.systemError("send", "the API server")
            }
        }
    }

    /// Appends the bytes that arrive next (waiting for at least one) to `buffer`; false at end of stream.
    func receive(into buffer: inout [UInt8], limit: TransferLimit) throws(KubernetesClientError) -> Bool {
        let capacity = 16_384
        while true {
            var received = 0
            buffer.append(addingCapacity: capacity) { span in
                span.withUnsafeMutableBufferPointer { raw, initialized in
                    received = recv(descriptor, raw.baseAddress, raw.count, 0)
                    initialized = max(received, 0)
                }
            }
            if received > 0 { return true }
            if received == 0 { return false }
            guard errno == EAGAIN || errno == EINTR else { throw Self.systemError("recv", "the API server") }
            try limit.wait(for: Int16(POLLIN), on: descriptor, call: "recv")
        }
    }

    /// Whether the connection sits idle and open: no bytes, end of stream or error waiting. A
    /// pooled connection the server closed (or wrote to unasked) fails this and is dropped.
    var isIdle: Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    private static func systemError(_ call: String, _ peer: String) -> KubernetesClientError {
        let code = errno
        return .transport(call: call, code: Int(code), message: "\(peer): \(String(cString: strerror(code)))")
    }
}
