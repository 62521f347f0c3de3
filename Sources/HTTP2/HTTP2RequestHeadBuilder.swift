import HTTPTypes

/// Collects one header block (request head or trailers) into an `HTTPRequest`, bounding its size.
///
/// HTTP/2 never interleaves header blocks, so a session needs only one builder, reset at the start
/// of each block.
struct HTTP2RequestHeadBuilder {
    /// What a finished header block amounts to.
    enum Outcome {
        case request(HTTPRequest, contentLength: Int?)
        case trailers
        case tooLarge
        case invalid
    }

    private enum State { case collecting, collectingTrailers, tooLarge, invalid }

    /// Per RFC 9113 section 6.5.2: name + value + 32 bytes of overhead per field.
    private static let fieldOverhead = 32

    private let maxBytes: Int
    private var state = State.collecting
    private var bytes = 0
    private var method: HTTPRequest.Method?
    private var scheme: String?
    private var authority: String?
    private var path: String?
    private var fields = HTTPFields()
    private var contentLength: Int?

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Starts a new block: a request head, or trailers whose fields are only counted.
    mutating func reset(trailers: Bool) {
        state = trailers ? .collectingTrailers : .collecting
        bytes = 0
        method = nil
        scheme = nil
        authority = nil
        path = nil
        fields = HTTPFields()
        contentLength = nil
    }

    /// Adds one decoded field; nghttp2 has already checked the HTTP/2 messaging rules.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        switch state {
        case .tooLarge, .invalid:
            return
        case .collecting, .collectingTrailers:
            bytes += name.count + value.count + Self.fieldOverhead
            if bytes > maxBytes {
                state = .tooLarge
                fields = HTTPFields()
            } else if state == .collecting && !addRequestField(name: name, value: value) {
                state = .invalid
            }
        }
    }

    /// Ends the block and hands over what it built.
    mutating func finish() -> Outcome {
        defer { reset(trailers: false) }
        switch state {
        case .collectingTrailers:
            return .trailers
        case .tooLarge:
            return .tooLarge
        case .invalid:
            return .invalid
        case .collecting:
            guard let method else { return .invalid }
            let request = HTTPRequest(method: method, scheme: scheme, authority: authority, path: path, headerFields: fields)
            return .request(request, contentLength: contentLength)
        }
    }

    /// Stores a pseudo-header or a regular field; false if it cannot be represented.
    private mutating func addRequestField(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        if name.first == UInt8(ascii: ":") {
            return addPseudoHeader(name: name, value: value)
        }
        guard let fieldName = HTTPField.Name(http2Bytes: name) else { return false }
        if fieldName == .contentLength {
            guard let length = Self.decimal(value) else { return false }
            contentLength = length
        }
        fields.append(HTTPField(name: fieldName, value: value))
        return true
    }

    private mutating func addPseudoHeader(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        switch String(decoding: name, as: UTF8.self) {
        case ":method":
            method = HTTPRequest.Method(http2Bytes: value)
            return method != nil
        case ":path":
            path = String(decoding: value, as: UTF8.self)
        case ":scheme":
            scheme = String(decoding: value, as: UTF8.self)
        case ":authority":
            authority = String(decoding: value, as: UTF8.self)
        default:
            return false
        }
        return true
    }

    /// Parses a content-length value: ASCII digits only, no overflow.
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var result = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }
}
