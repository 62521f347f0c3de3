internal import CNGHTTP2
import HTTPTypes

/// Builds the `nghttp2_nv` array for a response head in buffers reused across responses.
///
/// nghttp2 copies names and values during `nghttp2_submit_response`, so the pointers only have to
/// live for the duration of `withHeaderBlock`.
struct HTTP2HeaderBlockEncoder {
    /// Connection-specific fields that RFC 9113 section 8.2.2 forbids in HTTP/2.
    private static let connectionSpecific: [HTTPField.Name] = [
        .connection, .transferEncoding, .upgrade, HTTPField.Name("keep-alive")!, HTTPField.Name("proxy-connection")!,
    ]

    private var bytes: [UInt8] = []
    private var spans: [(name: Range<Int>, value: Range<Int>)] = []
    private var entries: [nghttp2_nv] = []

    /// Calls `body` with the header block of `response`, adding content-length when it is missing.
    mutating func withHeaderBlock<Result>(
        for response: HTTPResponse, contentLength: Int,
        _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)

        appendField(name: ":status".utf8) { $0.appendDecimal(response.status.code) }
        var hasContentLength = false
        for field in response.headerFields where !Self.connectionSpecific.contains(field.name) {
            hasContentLength = hasContentLength || field.name == .contentLength
            appendField(name: field.name.canonicalName.utf8) { out in
                field.withUnsafeBytesOfValue { out.append(contentsOf: $0) }
            }
        }
        if !hasContentLength {
            appendField(name: "content-length".utf8) { $0.appendDecimal(contentLength) }
        }

        return bytes.withUnsafeMutableBufferPointer { storage in
            let base = storage.baseAddress!
            for span in spans {
                entries.append(nghttp2_nv(
                    name: base + span.name.lowerBound, value: base + span.value.lowerBound,
                    namelen: span.name.count, valuelen: span.value.count,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
            }
            return entries.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }

    private mutating func appendField(name: String.UTF8View, value: (inout [UInt8]) -> Void) {
        let nameStart = bytes.count
        bytes.append(contentsOf: name)
        let valueStart = bytes.count
        value(&bytes)
        spans.append((nameStart..<valueStart, valueStart..<bytes.count))
    }
}

extension [UInt8] {
    /// Appends the decimal digits of a non-negative integer.
    fileprivate mutating func appendDecimal(_ value: Int) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var remaining = value
        repeat {
            append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        } while divisor > 0
    }
}
