/// Why a changed certificate was not installed (beyond `TLSError` from loading it).
public enum TLSCertificateReloadError: Error, Sendable, Equatable {
    /// The new leaf certificate has already expired.
    case certificateExpired(serial: String, notAfter: Double)
}
