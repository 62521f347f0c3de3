public import HTTPTypes

/// Writes HTTP/1.1 responses as bytes (RFC 9112 §4, §6).
///
/// The serializer owns message framing: it always writes `Content-Length` from the body (none for
/// 1xx and 204, which carry no content), adds `Connection: close` when the connection will close,
/// and drops any Content-Length, Transfer-Encoding or Connection field the response carries.
public enum HTTP1ResponseSerializer {
    /// The interim response for a request that carried `Expect: 100-continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Appends the status line, header fields, framing fields and body to `out`.
    public static func write(_ response: HTTPResponse, body: [UInt8], keepAlive: Bool, into out: inout [UInt8]) {
        let status = response.status
        let hasContent = status.code >= 200 && status.code != 204
        out.reserveCapacity(out.count + 64 + response.headerFields.count * 32 + (hasContent ? body.count : 0))

        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, minimumDigits: 3, to: &out)
        out.append(HTTP1Grammar.space)
        appendLatin1(status.reasonPhrase, to: &out)
        out.append(contentsOf: crlf)

        for field in response.headerFields where !isFramingField(field.name) {
            out.append(contentsOf: field.name.rawName.utf8)
            out.append(contentsOf: ": ".utf8)
            field.withUnsafeBytesOfValue { out.append(contentsOf: $0) }
            out.append(contentsOf: crlf)
        }
        if hasContent {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(body.count, minimumDigits: 1, to: &out)
            out.append(contentsOf: crlf)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        }
        out.append(contentsOf: crlf)
        if hasContent {
            out.append(contentsOf: body)
        }
    }

    private static let crlf: [UInt8] = [HTTP1Grammar.cr, HTTP1Grammar.lf]

    private static func isFramingField(_ name: HTTPField.Name) -> Bool {
        name == .contentLength || name == .transferEncoding || name == .connection
    }

    /// Writes a non-negative integer in decimal, left-padded with zeros to `minimumDigits`.
    private static func appendDecimal(_ value: Int, minimumDigits: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch; Int.max has 19 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var remaining = value
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0 || scratch.count - start < minimumDigits
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[start...]))
        }
    }

    /// The reason phrase is ISO Latin 1 (swift-http-types guarantees every scalar fits a byte).
    private static func appendLatin1(_ text: String, to out: inout [UInt8]) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            out.append(contentsOf: text.utf8)
        } else {
            out.append(contentsOf: text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        }
    }
}
