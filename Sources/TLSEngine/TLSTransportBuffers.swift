internal import COpenSSL

/// The ciphertext side of one TLS session: what came from the socket and waits for OpenSSL, and
/// what OpenSSL produced for the socket. OpenSSL reaches it through a BIO of our own
/// (`makeBIO()`), which reads and appends here directly.
///
/// Maintainers' note: this replaces a pair of OpenSSL memory BIOs. Those copied every byte into
/// a buffer of their own, zeroing its new space first, and out again; per 3.8 KB review over
/// HTTP/1.1 that was two extra copies, ~4k instructions of `memset` and BUF_MEM bookkeeping
/// (measured with callgrind). Input handed to `TLSConnection.readPlaintext(from:into:)` is read
/// in place; output is appended once and handed over by swapping buffers.
final class TLSTransportBuffers {
    /// Ciphertext lent for the duration of one `readPlaintext(from:into:)` call.
    private var lent = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Ciphertext kept from earlier calls, read before `lent`; `keptOffset` bytes of it are consumed.
    private var kept: [UInt8] = []
    private var keptOffset = 0
    /// Ciphertext produced by OpenSSL, waiting for the socket.
    var outgoing: [UInt8] = []

    /// Received ciphertext not yet read by OpenSSL.
    var pendingInput: Int { kept.count - keptOffset + lent.count }

    /// Keeps a copy of `ciphertext` for OpenSSL's next reads.
    func keep(_ ciphertext: UnsafeRawBufferPointer) {
        if keptOffset == kept.count {
            kept.removeAll(keepingCapacity: kept.capacity <= 1 << 16)
            keptOffset = 0
        }
        kept.append(contentsOf: ciphertext)
    }

    /// Lends `ciphertext` to OpenSSL while `body` runs, then keeps what it did not read.
    func lending<Result>(_ ciphertext: UnsafeRawBufferPointer, _ body: () -> Result) -> Result {
        lent = ciphertext
        let result = body()
        let unread = lent
        lent = UnsafeRawBufferPointer(start: nil, count: 0)
        if !unread.isEmpty { keep(unread) }
        return result
    }

    /// Copies up to `capacity` bytes of received ciphertext to `destination`; the count copied.
    fileprivate func read(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        var copied = 0
        if keptOffset < kept.count {
            copied = min(capacity, kept.count - keptOffset)
            kept.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + keptOffset, byteCount: copied) }
            keptOffset += copied
        }
        if copied < capacity, !lent.isEmpty {
            let more = min(capacity - copied, lent.count)
            (destination + copied).copyMemory(from: lent.baseAddress!, byteCount: more)
            lent = UnsafeRawBufferPointer(rebasing: lent[more...])
            copied += more
        }
        return copied
    }

    /// A BIO that reads from and writes to these buffers. It refers to them unretained: the
    /// `TLSConnection` owning both frees its `SSL` (and with it the BIO) before them.
    func makeBIO() -> OpaquePointer? {
        guard let bio = BIO_new(transportMethod) else { return nil }
        BIO_set_data(bio, Unmanaged.passUnretained(self).toOpaque())
        BIO_set_init(bio, 1)
        return bio
    }
}

/// The BIO method behind `TLSTransportBuffers.makeBIO()`: a source/sink whose reads take received
/// ciphertext (or ask to retry, as a memory BIO does when empty) and whose writes append.
nonisolated(unsafe) private let transportMethod: OpaquePointer = {
    guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "eci-profile TLS transport") else {
        fatalError("BIO_meth_new failed: out of memory at start-up")
    }
    _ = BIO_meth_set_read_ex(method) { bio, data, length, readBytes in
        guard let bio, let data, let readBytes, let buffers = BIO_get_data(bio) else { return 0 }
        BIO_clear_flags(bio, BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY)
        let count = Unmanaged<TLSTransportBuffers>.fromOpaque(buffers).takeUnretainedValue().read(into: data, capacity: length)
        readBytes.pointee = count
        if count == 0 {
            BIO_set_flags(bio, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY)
            return 0
        }
        return 1
    }
    _ = BIO_meth_set_write_ex(method) { bio, data, length, written in
        guard let bio, let written, let buffers = BIO_get_data(bio) else { return 0 }
        BIO_clear_flags(bio, BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY)
        if let data, length > 0 {
            Unmanaged<TLSTransportBuffers>.fromOpaque(buffers).takeUnretainedValue()
                .outgoing.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        }
        written.pointee = length
        return 1
    }
    // OpenSSL flushes after each flight and record; there is nothing to flush. Other controls
    // (kTLS, datagram options) do not apply.
    _ = BIO_meth_set_ctrl(method) { _, command, _, _ in command == BIO_CTRL_FLUSH ? 1 : 0 }
    return method
}()
