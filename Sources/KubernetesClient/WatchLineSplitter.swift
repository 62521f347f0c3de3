/// Splits a watch body into newline-delimited lines, however the bytes were chunked.
struct WatchLineSplitter {
    private var buffer: [UInt8] = []
    private var scanned = 0
    private let maximumLineLength: Int

    init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    /// Adds received bytes.
    mutating func append(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete non-empty line without its terminator, or nil until more bytes arrive.
    mutating func next() throws(KubernetesClientError) -> [UInt8]? {
        while let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            scanned = 0
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { return line }
        }
        scanned = buffer.count
        guard buffer.count <= maximumLineLength else { throw .responseTooLarge(limit: maximumLineLength) }
        return nil
    }

    /// Bytes received after the last newline (a final line the server did not terminate).
    var remainder: [UInt8] { buffer }
}
