import HTTPTypes

extension HTTPField.Name {
    /// Names most requests carry, matched by bytes so they cost no String allocation.
    private static let common: [(bytes: [UInt8], name: HTTPField.Name)] = [
        .contentType, .contentLength, .accept, .acceptEncoding, .userAgent, .authorization, .te,
    ].map { (Array($0.canonicalName.utf8), $0) }

    /// Creates a name from the lowercase bytes nghttp2 decoded; nil if it is not a valid token.
    init?(http2Bytes bytes: UnsafeBufferPointer<UInt8>) {
        for entry in Self.common where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) {
            self = entry.name
            return
        }
        self.init(parsed: String(decoding: bytes, as: UTF8.self))
    }
}
