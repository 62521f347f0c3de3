/// Limits and flow-control sizes for one HTTP/2 server connection.
///
/// Maintainers' note on the defaults:
/// - Flow control: the stream window (`initialWindowSize`, SETTINGS_INITIAL_WINDOW_SIZE) is 1 MiB
///   and the connection window is 8 MiB. nghttp2 counts received DATA as consumed as soon as the
///   chunk callback returns and sends WINDOW_UPDATE once half a window is used, so an 8 MiB body
///   flows in ~512 KiB steps without stalling, and eight such streams can be in flight at once.
///   Windows do not bound memory here (data is consumed on arrival); `maxBufferedBodyBytes` does:
///   a stream whose DATA would push the connection's buffered, unfinished bodies past it is
///   refused with RST_STREAM(REFUSED_STREAM), which tells the client it may retry.
/// - Rapid reset (CVE-2023-44487): more than `maxResetsPerSecond` streams reset by the client, or
///   closed before we answered them, within any sliding second ends the connection with
///   GOAWAY(ENHANCE_YOUR_CALM). 100/s is far above what a webhook client (the API server) does:
///   it cancels only on timeouts.
/// - Control frames (SETTINGS, PING, WINDOW_UPDATE, PRIORITY, RST_STREAM, GOAWAY, unknown types and
///   empty DATA without END_STREAM): more than `maxControlFramesPerSecond` in any sliding second,
///   or more than `maxContinuationFrames` CONTINUATION frames after one HEADERS, end the connection
///   the same way.
public struct HTTP2Configuration: Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to the client.
    public var maxConcurrentStreams = 100
    /// SETTINGS_MAX_HEADER_LIST_SIZE; a larger header block is answered 431.
    public var maxHeaderListBytes = 65_536
    /// Largest request body collected; a larger one is answered 413.
    public var maxRequestBodyBytes = 8 << 20
    /// Request body bytes buffered across the connection's unfinished streams.
    public var maxBufferedBodyBytes = 32 << 20
    /// SETTINGS_INITIAL_WINDOW_SIZE: the per-stream receive window.
    public var initialWindowSize = 1 << 20
    /// The connection-level receive window.
    public var connectionWindowSize = 8 << 20
    /// Client resets plus streams closed before they were answered, allowed per sliding second.
    public var maxResetsPerSecond = 100
    /// Control frames (and empty DATA frames) allowed per sliding second.
    public var maxControlFramesPerSecond = 1_000
    /// CONTINUATION frames allowed after one HEADERS frame.
    public var maxContinuationFrames = 8

    /// Creates the default configuration.
    public init() {}
}
