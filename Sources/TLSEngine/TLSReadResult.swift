/// The outcome of `TLSConnection.readPlaintext(into:)`.
public enum TLSReadResult {
    /// Progress was made or more ciphertext is needed; zero or more plaintext bytes were appended.
    case ok
    /// The peer sent close_notify; no more plaintext will arrive.
    case closed
    /// The handshake or a record failed; send any pending ciphertext (the alert), then drop the connection.
    case failed(TLSError)
}
