internal import CNGHTTP2
public import HTTPTypes

/// The server side of one HTTP/2 connection over nghttp2: plaintext bytes in, requests out,
/// responses in, bytes to send out. Does no I/O; use it from one thread at a time.
public final class HTTP2ServerSession {
    private enum Shutdown { case none, awaitingPingAck, finalGoAwaySubmitted }

    let configuration: HTTP2Configuration
    let now: () -> UInt64
    /// The `nghttp2_session *`; set once in `init`, freed in `deinit`.
    private(set) var session: OpaquePointer!
    var streams: [Int32: HTTP2Stream] = [:]
    var headBuilder: HTTP2RequestHeadBuilder
    var floodDetector: HTTP2FloodDetector
    var headerEncoder = HTTP2HeaderBlockEncoder()
    /// Request body bytes held for unfinished streams, bounded by `maxBufferedBodyBytes`.
    public internal(set) var bufferedBodyBytes = 0
    /// Statuses of the requests the session answered itself (413, 431) since the last `takeRejections()`.
    var rejections: [HTTPResponse.Status] = []
    /// Requests completed during the current `receive`, handed to its caller at the end.
    var completed: [HTTP2Request] = []
    /// Set once the session is being torn down; `receive` throws it from then on.
    var failure: HTTP2SessionError?
    private var outputBroken = false
    private var shutdown = Shutdown.none
    /// Whether `shed` ended the session (the requests it had completed can still be answered).
    public private(set) var wasShed = false

    /// Creates a session and queues the server preface (SETTINGS and the connection window).
    /// - Parameter now: a monotonic clock in nanoseconds, used for the flood limits.
    public init(configuration: HTTP2Configuration = HTTP2Configuration(), now: @escaping () -> UInt64) throws(HTTP2SessionError) {
        self.configuration = configuration
        self.now = now
        headBuilder = HTTP2RequestHeadBuilder(maxBytes: configuration.maxHeaderListBytes)
        floodDetector = HTTP2FloodDetector(configuration: configuration)

        let callbacks = Self.makeCallbacks()
        defer { nghttp2_session_callbacks_del(callbacks) }
        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw .nghttp2("nghttp2_option_new", code: Int(NGHTTP2_ERR_NOMEM.rawValue))
        }
        defer { nghttp2_option_del(option) }
        Self.applyLimits(configuration, to: option)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        var created: OpaquePointer?
        let rv = nghttp2_session_server_new2(&created, callbacks, userData, option)
        guard rv == 0, let created else { throw .nghttp2("nghttp2_session_server_new2", code: Int(rv)) }
        session = created
        try submitPreface()
    }

    deinit {
        nghttp2_session_del(session)
    }

    /// Feeds received plaintext; appends the requests it completes to `requests`.
    ///
    /// Throws when the connection must end: a GOAWAY is then queued, so flush `takeOutput` and close.
    /// Requests completed by the failing call are dropped; later calls throw the same error.
    public func receive(_ bytes: UnsafeRawBufferPointer, into requests: inout [HTTP2Request]) throws(HTTP2SessionError) {
        if let failure { throw failure }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let rv = nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        if rv < 0 {
            fail(.nghttp2("nghttp2_session_mem_recv", code: rv))
        }
        if let failure {
            completed.removeAll()
            throw failure
        }
        if requests.isEmpty {
            swap(&requests, &completed)
        } else {
            requests.append(contentsOf: completed)
            completed.removeAll(keepingCapacity: true)
        }
    }

    /// Answers a request; a no-op if the stream was reset, closed or already answered.
    public func respond(streamID: Int32, response: HTTPResponse, body: [UInt8]) {
        guard failure == nil, let stream = streams[streamID], !stream.answered else { return }
        let sendsBody = !body.isEmpty && stream.request?.method != .head
        streams[streamID]?.answered = true
        if sendsBody {
            streams[streamID]?.responseBody = body
        }
        submit(response, contentLength: body.count, on: streamID, withBody: sendsBody)
    }

    /// The statuses of the requests the session answered itself (413 for a body over the limit, 431 for a
    /// header block over it) since the last call, so the caller can count them like its own answers.
    public func takeRejections() -> [HTTPResponse.Status] {
        guard !rejections.isEmpty else { return [] }
        defer { rejections.removeAll() }
        return rejections
    }

    /// Appends every byte nghttp2 has ready to send to `out`.
    public func takeOutput(into out: inout [UInt8]) {
        guard !outputBroken else { return }
        while true {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            if count < 0 {
                outputBroken = true
                fail(.nghttp2("nghttp2_session_mem_send", code: count))
                return
            }
            guard count > 0, let chunk else { return }
            out.append(contentsOf: UnsafeBufferPointer(start: chunk, count: count))
        }
    }

    /// True once nghttp2 neither reads nor writes any more: the connection can be closed.
    public var wantsClose: Bool {
        outputBroken || (nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0)
    }

    /// Starts a graceful shutdown: GOAWAY notice and a PING; when the PING is acknowledged, the
    /// final GOAWAY names the last stream taken, which is still answered. A second call sends the
    /// final GOAWAY without waiting for the acknowledgement.
    public func startGracefulShutdown() {
        switch shutdown {
        case .none:
            shutdown = .awaitingPingAck
            nghttp2_submit_shutdown_notice(session)
            nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
        case .awaitingPingAck:
            submitFinalGoAway()
        case .finalGoAwaySubmitted:
            break
        }
    }

    /// Ends the session at once to free its memory: every stream still receiving its request is answered
    /// `status` with `body` (its buffered body dropped, counted like the module's own 413/431), then the final
    /// GOAWAY names the last stream taken; both go to `out`, the answers first (nghttp2 would send a GOAWAY
    /// queued with them ahead of their DATA). Requests already complete can still be answered.
    public func shed(status: HTTPResponse.Status, body: [UInt8], into out: inout [UInt8]) {
        guard failure == nil, shutdown != .finalGoAwaySubmitted else { return }
        wasShed = true
        for (streamID, stream) in streams where !stream.requestComplete {
            reject(streamID: streamID, status: status, body: body)
        }
        takeOutput(into: &out)
        submitFinalGoAway()
        takeOutput(into: &out)
    }

    // MARK: - Internals shared with the callbacks

    /// Ends the session: remembers why and queues GOAWAY with the matching error code.
    func fail(_ error: HTTP2SessionError) {
        guard failure == nil else { return }
        failure = error
        nghttp2_session_terminate_session(session, error.goAwayErrorCode)
    }

    /// Called when the client acknowledges a PING.
    func pingAcknowledged() {
        if shutdown == .awaitingPingAck {
            submitFinalGoAway()
        }
    }

    /// Answers a stream from inside the module (413, 431, a shed's 503) and stops collecting its body.
    func reject(streamID: Int32, status: HTTPResponse.Status, body: [UInt8] = []) {
        guard let index = streams.index(forKey: streamID), !streams.values[index].answered else { return }
        streams.values[index].answered = true
        streams.values[index].discardingBody = true
        _ = takeBody(at: index)
        rejections.append(status)
        guard !body.isEmpty else {
            submit(HTTPResponse(status: status), contentLength: 0, on: streamID, withBody: false)
            return
        }
        streams.values[index].responseBody = body
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        submit(HTTPResponse(status: status, headerFields: fields), contentLength: body.count, on: streamID, withBody: true)
    }

    /// Refuses a stream with RST_STREAM(REFUSED_STREAM) when the connection's body budget is spent.
    func refuse(streamID: Int32, at index: [Int32: HTTP2Stream].Index) {
        streams.values[index].discardingBody = true
        _ = takeBody(at: index)
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_REFUSED_STREAM.rawValue)
    }

    /// Moves a stream's buffered body out, returning its bytes to the connection's budget.
    func takeBody(at index: [Int32: HTTP2Stream].Index) -> [UInt8] {
        var body: [UInt8] = []
        swap(&body, &streams.values[index].body)
        bufferedBodyBytes -= body.count
        return body
    }

    private func submit(_ response: HTTPResponse, contentLength: Int, on streamID: Int32, withBody: Bool) {
        var provider = nghttp2_data_provider()
        provider.read_callback = { _, streamID, buffer, capacity, flags, _, userData in
            HTTP2ServerSession.from(userData).readResponseBody(
                streamID: streamID, into: buffer!, capacity: capacity, flags: flags!)
        }
        let rv = headerEncoder.withHeaderBlock(for: response, contentLength: contentLength) { entries, count in
            withBody
                ? nghttp2_submit_response(session, streamID, entries, count, &provider)
                : nghttp2_submit_response(session, streamID, entries, count, nil)
        }
        if rv != 0 {
            streams[streamID]?.responseBody = []
        }
    }

    private func submitFinalGoAway() {
        shutdown = .finalGoAwaySubmitted
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
            NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    private func submitPreface() throws(HTTP2SessionError) {
        let settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                                   value: UInt32(clamping: configuration.maxConcurrentStreams)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: UInt32(clamping: min(configuration.initialWindowSize, Int(Int32.max)))),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: UInt32(clamping: configuration.maxHeaderListBytes)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES.rawValue), value: 1),
        ]
        var rv = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), settings, settings.count)
        guard rv == 0 else { throw .nghttp2("nghttp2_submit_settings", code: Int(rv)) }
        rv = nghttp2_session_set_local_window_size(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
            Int32(clamping: min(configuration.connectionWindowSize, Int(Int32.max))))
        guard rv == 0 else { throw .nghttp2("nghttp2_session_set_local_window_size", code: Int(rv)) }
    }

    /// nghttp2's own limits; they back up the injected-clock heuristics in `HTTP2FloodDetector`.
    private static func applyLimits(_ configuration: HTTP2Configuration, to option: OpaquePointer) {
        nghttp2_option_set_max_settings(option, 32)                     // entries per SETTINGS frame
        // Unread SETTINGS/PING ACKs: above the per-second control budget, so the clock-driven
        // limit fires first, yet bounded for a client that never reads.
        nghttp2_option_set_max_outbound_ack(option, max(1_000, 2 * configuration.maxControlFramesPerSecond))
        nghttp2_option_set_max_send_header_block_length(option, 64 << 10)
        nghttp2_option_set_max_deflate_dynamic_table_size(option, 4_096)
        nghttp2_option_set_no_closed_streams(option, 1)                 // no priority tree to keep
        // nghttp2 also counts CONTINUATIONs of header blocks it ignores (no callbacks run then).
        nghttp2_option_set_max_continuations(option, configuration.maxContinuationFrames + 1)
        // nghttp2's reset limiter runs on the wall clock: keep it looser (30 s of budget as burst)
        // so the sliding window over the injected clock is the one that fires.
        let resets = UInt64(max(1, configuration.maxResetsPerSecond))
        nghttp2_option_set_stream_reset_rate_limit(option, resets * 30, resets)
    }
}
