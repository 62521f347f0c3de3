/// A TLS protocol version the engine can negotiate; nothing older than TLS 1.2 exists here.
public enum TLSVersion: Sendable, Hashable {
    /// TLS 1.2 (RFC 5246).
    case v1_2
    /// TLS 1.3 (RFC 8446).
    case v1_3
}
