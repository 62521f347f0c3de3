import CNGHTTP2

/// An nghttp2 client session in memory, the peer the server session is tested against.
final class NGHTTP2TestClient {
    struct Response {
        var status: Int?
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var ended = false
        var closeErrorCode: UInt32?
    }

    struct GoAway: Equatable {
        var lastStreamID: Int32
        var errorCode: UInt32
    }

    private(set) var responses: [Int32: Response] = [:]
    private(set) var goAways: [GoAway] = []
    private(set) var windowUpdatesReceived = 0
    private var session: OpaquePointer!
    private var requestBodies: [Int32: (bytes: [UInt8], offset: Int)] = [:]
    /// Most bytes handed to nghttp2 per DATA read, to force several DATA frames.
    private let maxDataChunk: Int

    init(maxDataChunk: Int = 16_384) {
        self.maxDataChunk = maxDataChunk
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            let name = String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self)
            let value = String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
            NGHTTP2TestClient.from(userData).header(streamID: frame!.pointee.hd.stream_id, name: name, value: value)
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            NGHTTP2TestClient.from(userData).responses[streamID, default: Response()].body
                .append(contentsOf: UnsafeBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            NGHTTP2TestClient.from(userData).frameReceived(frame!.pointee)
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            NGHTTP2TestClient.from(userData).responses[streamID, default: Response()].closeErrorCode = errorCode
            return 0
        }
        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_max_send_header_block_length(option, 1 << 20)
        nghttp2_session_client_new2(&session, callbacks, Unmanaged.passUnretained(self).toOpaque(), option)
        nghttp2_submit_settings(session, 0, nil, 0)
    }

    deinit {
        nghttp2_session_del(session)
    }

    private static func from(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2TestClient {
        Unmanaged<NGHTTP2TestClient>.fromOpaque(userData!).takeUnretainedValue()
    }

    /// Submits a request; returns its stream id.
    @discardableResult
    func submitRequest(
        method: String = "GET", path: String = "/", authority: String = "webhook.test",
        headers: [(String, String)] = [], body: [UInt8]? = nil
    ) -> Int32 {
        let fields = [(":method", method), (":scheme", "https"), (":authority", authority), (":path", path)] + headers
        let storage = fields.map { (Array($0.0.utf8), Array($0.1.utf8)) }
        var provider = nghttp2_data_provider()
        provider.read_callback = { _, streamID, buffer, capacity, flags, _, userData in
            NGHTTP2TestClient.from(userData).readBody(streamID: streamID, into: buffer!, capacity: capacity, flags: flags!)
        }
        let streamID = withNameValuePointers(storage) { pointers in
            body == nil
                ? nghttp2_submit_request(session, nil, pointers, pointers.count, nil, nil)
                : nghttp2_submit_request(session, nil, pointers, pointers.count, &provider, nil)
        }
        precondition(streamID > 0, "nghttp2_submit_request failed: \(streamID)")
        if let body {
            requestBodies[streamID] = (body, 0)
        }
        return streamID
    }

    /// Resets a stream with CANCEL.
    func reset(streamID: Int32) {
        nghttp2_submit_rst_stream(session, 0, streamID, NGHTTP2_CANCEL.rawValue)
    }

    /// Serializes everything the client has queued.
    func takeOutput() -> [UInt8] {
        var out: [UInt8] = []
        while true {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            precondition(count >= 0, "client mem_send failed: \(count)")
            guard count > 0, let chunk else { return out }
            out.append(contentsOf: UnsafeBufferPointer(start: chunk, count: count))
        }
    }

    /// Feeds bytes from the server.
    func receive(_ bytes: [UInt8]) {
        let processed = bytes.withUnsafeBufferPointer { nghttp2_session_mem_recv(session, $0.baseAddress, $0.count) }
        precondition(processed == bytes.count, "client mem_recv failed: \(processed)")
    }

    private func header(streamID: Int32, name: String, value: String) {
        if name == ":status" {
            responses[streamID, default: Response()].status = Int(value)
        } else {
            responses[streamID, default: Response()].headers[name] = value
        }
    }

    private func frameReceived(_ frame: nghttp2_frame) {
        switch UInt32(frame.hd.type) {
        case NGHTTP2_GOAWAY.rawValue:
            goAways.append(GoAway(lastStreamID: frame.goaway.last_stream_id, errorCode: frame.goaway.error_code))
        case NGHTTP2_WINDOW_UPDATE.rawValue:
            windowUpdatesReceived += 1
        case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
            if frame.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 {
                responses[frame.hd.stream_id, default: Response()].ended = true
            }
        default:
            break
        }
    }

    private func readBody(streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, capacity: Int,
                          flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let (bytes, offset) = requestBodies[streamID] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        let count = min(capacity, maxDataChunk, bytes.count - offset)
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: count) }
        requestBodies[streamID]?.offset = offset + count
        if offset + count == bytes.count {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            requestBodies[streamID] = nil
        }
        return count
    }
}

/// Calls `body` with `nghttp2_nv` entries pointing into `fields`, valid for the call only.
private func withNameValuePointers<Result>(_ fields: [([UInt8], [UInt8])], _ body: ([nghttp2_nv]) -> Result) -> Result {
    var flat: [UInt8] = []
    var spans: [(Int, Int, Int, Int)] = []
    for (name, value) in fields {
        spans.append((flat.count, name.count, flat.count + name.count, value.count))
        flat += name + value
    }
    return flat.withUnsafeMutableBufferPointer { storage in
        let base = storage.baseAddress!
        let entries = spans.map { nameStart, nameCount, valueStart, valueCount in
            nghttp2_nv(name: base + nameStart, value: base + valueStart, namelen: nameCount, valuelen: valueCount, flags: 0)
        }
        return body(entries)
    }
}
