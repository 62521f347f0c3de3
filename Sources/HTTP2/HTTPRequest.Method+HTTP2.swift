import HTTPTypes

extension HTTPRequest.Method {
    /// Methods matched by bytes so they cost no String allocation.
    private static let common: [(bytes: [UInt8], method: HTTPRequest.Method)] = [
        .get, .post, .put, .patch, .delete, .head, .options,
    ].map { (Array($0.rawValue.utf8), $0) }

    /// Creates a method from the bytes of a `:method` pseudo-header; nil if it is not a token.
    init?(http2Bytes bytes: UnsafeBufferPointer<UInt8>) {
        for entry in Self.common where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) {
            self = entry.method
            return
        }
        self.init(String(decoding: bytes, as: UTF8.self))
    }
}
