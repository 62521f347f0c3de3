/// One `field-name ":" OWS field-value OWS` line of a header or trailer section (RFC 9112 §5).
struct HTTP1FieldLine {
    /// The field name, a token.
    var name: UnsafeRawBufferPointer
    /// The field value without surrounding whitespace.
    var value: UnsafeRawBufferPointer

    /// Splits and checks a line; the bytes must already have passed ``HTTP1FieldBlock/scan(_:from:limit:)``.
    init(parsing line: UnsafeRawBufferPointer) throws(HTTP1ParseError) {
        guard let first = line.first, !HTTP1Grammar.isWhitespace(first) else {
            throw .badRequest("obsolete line folding or leading whitespace")
        }
        // The name is checked on the way to the colon: one pass over it.
        var colon = 0
        while colon < line.count, HTTP1Grammar.isTokenByte(line[colon]) { colon += 1 }
        guard colon > 0, colon < line.count, line[colon] == HTTP1Grammar.colon else {
            let hasColon = HTTP1Grammar.firstIndex(of: HTTP1Grammar.colon, in: line, from: colon) != nil
            throw .badRequest(hasColon ? "invalid field name" : "field line without colon")
        }
        name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        value = HTTP1Grammar.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
    }
}
