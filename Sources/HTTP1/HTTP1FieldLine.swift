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
        guard let colon = HTTP1Grammar.firstIndex(of: HTTP1Grammar.colon, in: line, from: 0) else {
            throw .badRequest("field line without colon")
        }
        name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        guard HTTP1Grammar.isToken(name) else { throw .badRequest("invalid field name") }
        value = HTTP1Grammar.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
    }
}
