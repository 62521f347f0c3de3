extension JSONError {
    /// Where `offset` falls in `text`, the text that was parsed: a 1-based line and a 1-based
    /// column counted in characters (Unicode scalars), as editors count them, not in bytes.
    public func position(in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var consumed = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            guard consumed + width <= offset else { break }
            consumed += width
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
