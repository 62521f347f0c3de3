import HTTPTypes

/// How a request body is delimited (RFC 9112 §6.3).
enum HTTP1BodyFraming: Equatable {
    /// Exactly this many bytes follow the head (0 when neither Content-Length nor Transfer-Encoding is present).
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A parsed head block: the head, the body framing, and where its Content-Length digits lie.
struct HTTP1ParsedHead {
    var head: HTTP1RequestHead
    var framing: HTTP1BodyFraming
    /// Set when one Content-Length line of plain digits frames the body and nothing is expected
    /// (for ``HTTP1HeadMemo``).
    var contentLength: HTTP1ContentLengthSpot?
}

/// The single Content-Length value of a head: its digits' offsets in the block and its field's index.
struct HTTP1ContentLengthSpot {
    var digits: Range<Int>
    var fieldIndex: Int
}

/// Turns a complete head block into an ``HTTP1RequestHead`` and the body framing.
///
/// Host, Content-Length, Transfer-Encoding, Connection and Expect are interpreted while the
/// fields are collected; every other field is passed through in order.
struct HTTP1HeadParser {
    private let blockStart: UnsafeRawPointer?
    private var fields = HTTPFields()
    private var contentLengthLines = 0
    private var contentLengthSpot: HTTP1ContentLengthSpot?
    private var authority: String?
    private var contentLength: Int?
    private var hasTransferEncoding = false
    private var isChunked = false
    private var hasOtherCoding = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectsContinue = false

    /// Parses `block`, a head accepted by ``HTTP1FieldBlock/scan(_:from:limit:)``.
    static func parse(
        _ block: UnsafeRawBufferPointer,
        limits: HTTP1ParserLimits
    ) throws(HTTP1ParseError) -> HTTP1ParsedHead {
        let lineEnd = HTTP1Grammar.firstIndex(of: HTTP1Grammar.cr, in: block, from: 0) ?? block.count
        let requestLine = try HTTP1RequestLine(parsing: UnsafeRawBufferPointer(rebasing: block[..<lineEnd]))
        var parser = HTTP1HeadParser(blockStart: block.baseAddress)
        try HTTP1FieldBlock.forEachLine(in: UnsafeRawBufferPointer(rebasing: block[(lineEnd + 2)...])) {
            (line) throws(HTTP1ParseError) in
            try parser.add(HTTP1FieldLine(parsing: line))
        }
        return try parser.finish(requestLine, limits: limits)
    }

    private mutating func add(_ field: HTTP1FieldLine) throws(HTTP1ParseError) {
        let name = field.name
        let value = field.value
        if HTTP1Grammar.equalsLowercase(name, "host") {
            guard authority == nil else { throw .badRequest("more than one Host field") }
            guard value.allSatisfy(HTTP1Grammar.isHostByte) else { throw .badRequest("invalid Host value") }
            authority = String(decoding: value, as: UTF8.self)
            return  // carried as the request's authority
        } else if HTTP1Grammar.equalsLowercase(name, "content-length") {
            try addContentLength(value)
            contentLengthLines += 1
            if let blockStart, let start = value.baseAddress, value.allSatisfy(HTTP1Grammar.isDigit) {
                let offset = start - blockStart
                contentLengthSpot = HTTP1ContentLengthSpot(digits: offset..<(offset + value.count), fieldIndex: fields.count)
            }
        } else if HTTP1Grammar.equalsLowercase(name, "transfer-encoding") {
            try addTransferCodings(value)
        } else if HTTP1Grammar.equalsLowercase(name, "connection") {
            HTTP1Grammar.forEachListElement(value) { option in
                connectionClose = connectionClose || HTTP1Grammar.equalsLowercase(option, "close")
                connectionKeepAlive = connectionKeepAlive || HTTP1Grammar.equalsLowercase(option, "keep-alive")
            }
        } else if HTTP1Grammar.equalsLowercase(name, "expect") {
            guard HTTP1Grammar.equalsLowercase(value, "100-continue") else {
                throw .expectationFailed("unsupported expectation")
            }
            expectsContinue = true
        }
        guard let fieldName = Self.commonName(spelled: name) ?? HTTPField.Name(String(decoding: name, as: UTF8.self))
        else {
            throw .badRequest("invalid field name")
        }
        if fields.isEmpty { fields.reserveCapacity(Self.usualFieldCount) }
        if HTTP1Grammar.equals(value, "application/json"), HTTP1Grammar.equals(name, "Content-Type") {
            fields.append(Self.jsonContentType)
        } else if value.allSatisfy({ $0 < 0x80 }) {
            fields.append(HTTPField(name: fieldName, value: String(decoding: value, as: UTF8.self)))
        } else {
            // obs-text: kept as bytes when not UTF-8. (`String(validating:)` behind this initializer
            // costs ~1k instructions per value even for ASCII, against ~200 for `String(decoding:)`.)
            fields.append(HTTPField(name: fieldName, value: value))
        }
    }

    /// The Content-Type of every admission review, made once: decoding and checking its value (a
    /// string too long to be stored inline, so allocated and freed) cost ~0.7k instructions per
    /// request (callgrind).
    private static let jsonContentType = HTTPField(name: .contentType, value: "application/json")

    /// Room for the fields of a usual request, reserved with the first one: growing the array one
    /// field at a time cost two or three allocations per request (measured with callgrind).
    private static let usualFieldCount = 8

    /// A common name spelled exactly as `name` (as clients usually spell it), reused instead of
    /// validated and lowercased again. Chosen by length, then compared bytewise with the name's
    /// `rawName` (a test checks the spellings): a generic `elementsEqual` per candidate cost ~1k
    /// instructions per field line, a loop over a table of candidates ~200 (both measured).
    static func commonName(spelled name: UnsafeRawBufferPointer) -> HTTPField.Name? {
        switch name.count {
        case 6:
            if HTTP1Grammar.equals(name, "Accept") { return .accept }
            return HTTP1Grammar.equals(name, "Expect") ? .expect : nil
        case 10:
            if HTTP1Grammar.equals(name, "Connection") { return .connection }
            return HTTP1Grammar.equals(name, "User-Agent") ? .userAgent : nil
        case 12: return HTTP1Grammar.equals(name, "Content-Type") ? .contentType : nil
        case 13: return HTTP1Grammar.equals(name, "Authorization") ? .authorization : nil
        case 14: return HTTP1Grammar.equals(name, "Content-Length") ? .contentLength : nil
        case 15: return HTTP1Grammar.equals(name, "Accept-Encoding") ? .acceptEncoding : nil
        case 17: return HTTP1Grammar.equals(name, "Transfer-Encoding") ? .transferEncoding : nil
        default: return nil
        }
    }

    private mutating func addContentLength(_ value: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        contentLength = try Self.contentLength(value, earlier: contentLength)
    }

    /// Content-Length: 1*DIGIT, possibly repeated (as a list or in several lines, `earlier` being the
    /// value of previous lines) with the same value. Shared with ``HTTP1ResponseHead``.
    static func contentLength(_ value: UnsafeRawBufferPointer, earlier: Int?) throws(HTTP1ParseError) -> Int {
        var contentLength = earlier
        try HTTP1Grammar.forEachListElement(value) { (element) throws(HTTP1ParseError) in
            guard !element.isEmpty else { throw .badRequest("empty Content-Length") }
            var length = 0
            for byte in element {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                    throw .badRequest("Content-Length is not a decimal number")
                }
                let (shifted, overflowA) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !overflowA, !overflowB else { throw .badRequest("Content-Length overflows") }
                length = sum
            }
            if let existing = contentLength, existing != length {
                throw .badRequest("conflicting Content-Length values")
            }
            contentLength = length
        }
        guard let contentLength else { throw .badRequest("empty Content-Length") }
        return contentLength
    }

    /// Transfer-Encoding: `chunked` must be the final coding and appear once; other codings -> 501.
    private mutating func addTransferCodings(_ value: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        hasTransferEncoding = true
        try HTTP1Grammar.forEachListElement(value) { (coding) throws(HTTP1ParseError) in
            guard !coding.isEmpty else { throw .badRequest("empty transfer coding") }
            guard !isChunked else { throw .badRequest("chunked is not the final transfer coding") }
            if HTTP1Grammar.equalsLowercase(coding, "chunked") {
                isChunked = true
            } else {
                hasOtherCoding = true
            }
        }
    }

    private func finish(
        _ line: HTTP1RequestLine,
        limits: HTTP1ParserLimits
    ) throws(HTTP1ParseError) -> HTTP1ParsedHead {
        if line.isHTTP11, authority == nil { throw .badRequest("missing Host field") }
        let framing: HTTP1BodyFraming
        if hasTransferEncoding {
            guard contentLength == nil else { throw .badRequest("both Transfer-Encoding and Content-Length") }
            guard line.isHTTP11 else { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            guard !hasOtherCoding else { throw .notImplemented("transfer coding other than chunked") }
            framing = .chunked
        } else {
            let length = contentLength ?? 0
            guard length <= limits.maxBodyBytes else {
                throw .contentTooLarge("Content-Length over \(limits.maxBodyBytes) bytes")
            }
            framing = .length(length)
        }
        let request = HTTPRequest(
            method: line.method, scheme: nil, authority: line.targetAuthority ?? authority, path: line.target, headerFields: fields)
        let head = HTTP1RequestHead(
            request: request,
            keepAlive: line.isHTTP11 ? !connectionClose : connectionKeepAlive && !connectionClose,
            expectsContinue: line.isHTTP11 && expectsContinue && framing != .length(0))
        let spot = contentLengthLines == 1 && !expectsContinue ? contentLengthSpot : nil
        return HTTP1ParsedHead(head: head, framing: framing, contentLength: spot)
    }
}
