/// One HTTP request to the API server: a GET, or a POST when it has a body.
struct TransferRequest: Sendable {
    var url: String
    /// Header lines (`Name: value`) besides Host and Content-Length.
    var headers: [String]
    var body: [UInt8]?
    /// Limit on the whole transfer, from connecting to the last byte.
    var timeout: Duration
}
