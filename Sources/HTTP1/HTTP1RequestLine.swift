import HTTPTypes

/// `method SP request-target SP HTTP-version` (RFC 9112 §3): origin-form targets, and the
/// absolute form (`http://host/path`) that servers must accept too (§3.2.2).
struct HTTP1RequestLine {
    var method: HTTPRequest.Method
    /// The target as an absolute path and optional query.
    var target: String
    /// The authority of an absolute-form target; it replaces the Host field (RFC 9112 §3.2.2).
    var targetAuthority: String?
    /// HTTP/1.1 when true, HTTP/1.0 otherwise.
    var isHTTP11: Bool

    /// Parses a request line (without its CRLF) that passed ``HTTP1FieldBlock/scan(_:from:limit:)``.
    init(parsing line: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        guard let methodEnd = HTTP1Grammar.firstIndex(of: HTTP1Grammar.space, in: line, from: 0),
            let targetEnd = HTTP1Grammar.firstIndex(of: HTTP1Grammar.space, in: line, from: methodEnd + 1)
        else {
            throw .badRequest("malformed request line")
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: line[..<methodEnd])
        guard HTTP1Grammar.isToken(methodBytes),
            let method = Self.commonMethod(methodBytes) ?? HTTPRequest.Method(String(decoding: methodBytes, as: UTF8.self))
        else {
            throw .badRequest("invalid method")
        }
        var targetBytes = UnsafeRawBufferPointer(rebasing: line[(methodEnd + 1)..<targetEnd])
        self.targetAuthority = nil
        if let afterScheme = Self.afterHTTPScheme(targetBytes) {
            let rest = UnsafeRawBufferPointer(rebasing: targetBytes[afterScheme...])
            let authorityEnd = rest.firstIndex { $0 == HTTP1Grammar.slash || $0 == UInt8(ascii: "?") } ?? rest.count
            let authorityBytes = UnsafeRawBufferPointer(rebasing: rest[..<authorityEnd])
            guard !authorityBytes.isEmpty, authorityBytes.allSatisfy(HTTP1Grammar.isHostByte) else {
                throw .badRequest("invalid authority in request target")
            }
            targetAuthority = String(decoding: authorityBytes, as: UTF8.self)
            targetBytes = UnsafeRawBufferPointer(rebasing: rest[authorityEnd...])
        }
        guard targetBytes.allSatisfy(HTTP1Grammar.isOriginFormByte) else {
            throw .badRequest("invalid character in request target")
        }
        if targetAuthority != nil, targetBytes.first != HTTP1Grammar.slash {
            // `http://host` and `http://host?q` name the root path.
            self.target = "/" + String(decoding: targetBytes, as: UTF8.self)
        } else {
            guard targetBytes.first == HTTP1Grammar.slash else {
                throw .badRequest("request target is neither in origin-form nor in absolute-form")
            }
            self.target = String(decoding: targetBytes, as: UTF8.self)
        }
        self.method = method
        self.isHTTP11 = try Self.parseVersion(UnsafeRawBufferPointer(rebasing: line[(targetEnd + 1)...]))
    }

    /// POST (every admission review) and GET (probes) without building and validating a String;
    /// nil for other methods.
    private static func commonMethod(_ bytes: UnsafeRawBufferPointer) -> HTTPRequest.Method? {
        if HTTP1Grammar.equals(bytes, "POST") { return .post }
        if HTTP1Grammar.equals(bytes, "GET") { return .get }
        return nil
    }

    /// The index after `http://` or `https://` (scheme in any case), when the target starts so.
    private static func afterHTTPScheme(_ target: UnsafeRawBufferPointer) -> Int? {
        for scheme: StaticString in ["http://", "https://"] {
            let count = scheme.utf8CodeUnitCount
            guard target.count >= count else { continue }
            let prefix = UnsafeRawBufferPointer(start: scheme.utf8Start, count: count)
            if zip(target.prefix(count), prefix).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) { return count }
        }
        return nil
    }

    /// `HTTP/1.1` -> true, `HTTP/1.0` -> false, another `HTTP/d.d` -> 505, anything else -> 400.
    private static func parseVersion(_ bytes: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> Bool {
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard bytes.count == 8, HTTP1Grammar.equals(UnsafeRawBufferPointer(rebasing: bytes[..<5]), "HTTP/"),
            digits.contains(bytes[5]), bytes[6] == UInt8(ascii: "."), digits.contains(bytes[7])
        else {
            throw .badRequest("malformed HTTP version")
        }
        guard bytes[5] == UInt8(ascii: "1"), bytes[7] == UInt8(ascii: "1") || bytes[7] == UInt8(ascii: "0") else {
            throw .versionNotSupported("only HTTP/1.1 and HTTP/1.0 are supported")
        }
        return bytes[7] == UInt8(ascii: "1")
    }
}
