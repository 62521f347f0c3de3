internal import CNGHTTP2
import HTTPTypes

/// The nghttp2 callbacks. Each recovers the session from `user_data`, enforces limits, and on a
/// flood queues GOAWAY and returns NGHTTP2_ERR_CALLBACK_FAILURE so `mem_recv` stops at once.
extension HTTP2ServerSession {
    private static let callbackFailure = NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
    private static let endStream = UInt8(NGHTTP2_FLAG_END_STREAM.rawValue)

    static func from(_ userData: UnsafeMutableRawPointer?) -> HTTP2ServerSession {
        Unmanaged<HTTP2ServerSession>.fromOpaque(userData!).takeUnretainedValue()
    }

    /// A callback table pointing at this type; the caller deletes it.
    static func makeCallbacks() -> OpaquePointer {
        var table: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&table) == 0, "nghttp2_session_callbacks_new: out of memory")
        let callbacks = table!
        nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks) { _, header, userData in
            HTTP2ServerSession.from(userData).frameBegan(header!.pointee)
        }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            HTTP2ServerSession.from(userData).headersBegan(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, _, name, nameLength, value, valueLength, _, userData in
            HTTP2ServerSession.from(userData).headerReceived(
                name: UnsafeBufferPointer(start: name, count: nameLength),
                value: UnsafeBufferPointer(start: value, count: valueLength))
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            HTTP2ServerSession.from(userData).dataReceived(streamID: streamID, UnsafeBufferPointer(start: data, count: length))
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            HTTP2ServerSession.from(userData).frameReceived(frame!.pointee)
        }
        nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks) { _, frame, _, userData in
            HTTP2ServerSession.from(userData).invalidFrameReceived(streamID: frame!.pointee.hd.stream_id)
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            HTTP2ServerSession.from(userData).frameSent(frame!.pointee.hd)
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            HTTP2ServerSession.from(userData).streamClosed(streamID: streamID, errorCode: errorCode)
        }
        return callbacks
    }

    // MARK: - Receiving

    private func frameBegan(_ header: nghttp2_frame_hd) -> Int32 {
        guard failure == nil else { return Self.callbackFailure }
        if let flood = floodDetector.frameBegan(
            type: header.type, flags: header.flags, length: header.length, at: now()) {
            fail(flood)
            return Self.callbackFailure
        }
        return 0
    }

    private func headersBegan(_ frame: nghttp2_frame) -> Int32 {
        guard failure == nil else { return Self.callbackFailure }
        let isRequest = frame.headers.cat == NGHTTP2_HCAT_REQUEST
        if isRequest {
            streams[frame.hd.stream_id] = HTTP2Stream()
        }
        headBuilder.reset(trailers: !isRequest)
        return 0
    }

    private func headerReceived(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard failure == nil else { return Self.callbackFailure }
        headBuilder.add(name: name, value: value)
        return 0
    }

    private func dataReceived(streamID: Int32, _ data: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard failure == nil else { return Self.callbackFailure }
        guard let index = streams.index(forKey: streamID), !streams.values[index].discardingBody else { return 0 }
        if streams.values[index].body.count + data.count > configuration.maxRequestBodyBytes {
            reject(streamID: streamID, status: .contentTooLarge)
        } else if bufferedBodyBytes + data.count > configuration.maxBufferedBodyBytes {
            refuse(streamID: streamID, at: index)
        } else {
            streams.values[index].body.append(contentsOf: data)
            bufferedBodyBytes += data.count
        }
        return 0
    }

    private func frameReceived(_ frame: nghttp2_frame) -> Int32 {
        guard failure == nil else { return Self.callbackFailure }
        let streamID = frame.hd.stream_id
        switch UInt32(frame.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            headerBlockEnded(streamID: streamID)
            if frame.hd.flags & Self.endStream != 0 {
                requestEnded(streamID: streamID)
            }
        case NGHTTP2_DATA.rawValue:
            if frame.hd.flags & Self.endStream != 0 {
                requestEnded(streamID: streamID)
            }
        case NGHTTP2_PING.rawValue:
            if frame.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 {
                pingAcknowledged()
            }
        default:
            break
        }
        return 0
    }

    private func headerBlockEnded(streamID: Int32) {
        switch headBuilder.finish() {
        case .request(let request, let contentLength):
            guard let index = streams.index(forKey: streamID) else { return }
            streams.values[index].request = request
            if let contentLength {
                if contentLength > configuration.maxRequestBodyBytes {
                    reject(streamID: streamID, status: .contentTooLarge)
                } else if contentLength <= configuration.maxBufferedBodyBytes - bufferedBodyBytes {
                    streams.values[index].body.reserveCapacity(contentLength)
                }
            }
        case .trailers:
            break
        case .tooLarge:
            reject(streamID: streamID, status: .requestHeaderFieldsTooLarge)
        case .invalid:
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_PROTOCOL_ERROR.rawValue)
        }
    }

    /// END_STREAM arrived: hand the request over unless the module answered it already.
    private func requestEnded(streamID: Int32) {
        guard let index = streams.index(forKey: streamID) else { return }
        streams.values[index].requestComplete = true
        guard !streams.values[index].discardingBody, let request = streams.values[index].request else { return }
        completed.append(HTTP2Request(streamID: streamID, request: request, body: takeBody(at: index)))
    }

    private func invalidFrameReceived(streamID: Int32) -> Int32 {
        guard failure == nil else { return Self.callbackFailure }
        // Streams we track are counted when they close; this covers HEADERS refused before
        // a stream existed (e.g. over the concurrency limit).
        if streamID != 0, streams[streamID] == nil {
            streamAbandoned()
        }
        return failure == nil ? 0 : Self.callbackFailure
    }

    // MARK: - Sending and closing (also called from mem_send: never fail the call)

    private func frameSent(_ header: nghttp2_frame_hd) -> Int32 {
        let type = UInt32(header.type)
        guard type == NGHTTP2_HEADERS.rawValue || type == NGHTTP2_DATA.rawValue,
              header.flags & Self.endStream != 0,
              let stream = streams[header.stream_id], !stream.requestComplete
        else { return 0 }
        // We answered before the request ended (413/431): ask the client to stop sending
        // (RFC 9113 section 8.1).
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), header.stream_id, NGHTTP2_NO_ERROR.rawValue)
        return 0
    }

    private func streamClosed(streamID: Int32, errorCode: UInt32) -> Int32 {
        guard let stream = streams.removeValue(forKey: streamID) else { return 0 }
        bufferedBodyBytes -= stream.body.count
        if !stream.answered || errorCode != NGHTTP2_NO_ERROR.rawValue {
            streamAbandoned()
        }
        return 0
    }

    private func streamAbandoned() {
        if let flood = floodDetector.streamAbandoned(at: now()) {
            fail(flood)
        }
    }

    /// Copies the next piece of a response body into nghttp2's frame buffer.
    func readResponseBody(streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, capacity: Int,
                          flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let index = streams.index(forKey: streamID) else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let offset = streams.values[index].responseOffset
        let total = streams.values[index].responseBody.count
        let count = min(capacity, total - offset)
        streams.values[index].responseBody.withUnsafeBufferPointer {
            buffer.update(from: $0.baseAddress! + offset, count: count)
        }
        streams.values[index].responseOffset = offset + count
        if offset + count == total {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            streams.values[index].responseBody = []
        }
        return count
    }
}
