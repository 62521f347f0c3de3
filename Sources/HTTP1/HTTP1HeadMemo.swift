import HTTPTypes

/// Parses request heads, reusing the previous head of the connection when a new one differs from it
/// only in the digits of its single Content-Length value.
///
/// kube-apiserver sends every review on a connection with the same request line and fields; only the
/// body length changes. Parsing such a head in full (request line, field lines, a new `HTTPRequest`
/// and `HTTPFields` allocated, and freed after the answer) cost ~7.2k instructions per request; checking
/// it against the previous block and setting the new Content-Length field in place costs ~1.1k
/// (callgrind, `serve` under keep-alive HTTP/1.1 load: 101.1k -> 96.3k instructions per request).
///
/// Maintainers' note: parsing is a function of the block's bytes (and of the limits, fixed per
/// parser). A block equal to the remembered one outside the digits has the same request line and
/// fields, so its parse is the remembered one with the new Content-Length value and body length; the
/// length limit is checked again. Heads with `Expect: 100-continue` are not remembered (whether it is
/// honoured depends on the length). The remembered head is updated in place, so once the handler has
/// let go of the previous request its header fields are not copied.
struct HTTP1HeadMemo {
    private struct Entry {
        /// The remembered block; the Content-Length digits lie at `spot.digits`.
        var block: [UInt8]
        var spot: HTTP1ContentLengthSpot
        /// Its head, with the Content-Length value of the latest block that matched.
        var head: HTTP1RequestHead
        /// The Content-Length field's name, as spelled.
        let name: HTTPField.Name
        /// The body length `head` carries now, and the number of its digits: together they fix its value.
        var length: Int
        var digitCount: Int

        /// When `block` matches the remembered block outside its Content-Length digits and its length is
        /// within the limit: the head with the new Content-Length value, and the length.
        mutating func reuse(_ block: UnsafeRawBufferPointer, limits: HTTP1ParserLimits) -> (HTTP1RequestHead, Int)? {
            let digitsStart = spot.digits.lowerBound
            let digitsEnd = block.count - (self.block.count - spot.digits.upperBound)
            guard digitsEnd > digitsStart else { return nil }
            let matches = self.block.withUnsafeBytes { kept in
                HTTP1Grammar.equals(
                    UnsafeRawBufferPointer(rebasing: block[..<digitsStart]), UnsafeRawBufferPointer(rebasing: kept[..<digitsStart]))
                    && HTTP1Grammar.equals(
                        UnsafeRawBufferPointer(rebasing: block[digitsEnd...]),
                        UnsafeRawBufferPointer(rebasing: kept[spot.digits.upperBound...]))
            }
            let digits = UnsafeRawBufferPointer(rebasing: block[digitsStart..<digitsEnd])
            // Up to 18 digits cannot overflow; longer values (leading zeros) take the full parse.
            guard matches, digits.count <= 18 else { return nil }
            var length = 0
            for byte in digits {
                guard HTTP1Grammar.isDigit(byte) else { return nil }
                length = length * 10 + Int(byte &- UInt8(ascii: "0"))
            }
            guard length <= limits.maxBodyBytes else { return nil }
            // The same digits (the head is the previous one's): nothing to set. Setting the field cost
            // ~0.65k instructions per request (callgrind), so a client sending same-sized requests saves that.
            if length != self.length || digits.count != digitCount {
                // In place (no copy) once the handler has let go of the previous request.
                head.request.headerFields[spot.fieldIndex] = HTTPField(name: name, value: String(decoding: digits, as: UTF8.self))
                self.length = length
                digitCount = digits.count
            }
            return (head, length)
        }
    }

    private var entry: Entry?

    /// The bytes kept for the remembered block.
    var retainedBytes: Int { entry?.block.capacity ?? 0 }

    /// Parses `bytes[block]`, a head accepted by ``HTTP1FieldBlock/scan(_:from:limit:)``, as
    /// ``HTTP1HeadParser`` does.
    mutating func parse(
        _ bytes: [UInt8],
        block: Range<Int>,
        limits: HTTP1ParserLimits
    ) throws(HTTP1ParseError) -> (head: HTTP1RequestHead, framing: HTTP1BodyFraming) {
        try bytes.withUnsafeBytes { bytes in
            Result { () throws(HTTP1ParseError) in
                try parse(UnsafeRawBufferPointer(rebasing: bytes[block]), limits: limits)
            }
        }.get()
    }

    private mutating func parse(
        _ block: UnsafeRawBufferPointer,
        limits: HTTP1ParserLimits
    ) throws(HTTP1ParseError) -> (head: HTTP1RequestHead, framing: HTTP1BodyFraming) {
        if let (head, length) = entry?.reuse(block, limits: limits) {
            return (head, .length(length))
        }
        let parsed = try HTTP1HeadParser.parse(block, limits: limits)
        if let spot = parsed.contentLength, case .length(let length) = parsed.framing {
            var kept = entry.take()?.block ?? []
            kept.removeAll(keepingCapacity: true)
            kept.append(contentsOf: block)
            let name = parsed.head.request.headerFields[spot.fieldIndex].name
            entry = Entry(block: kept, spot: spot, head: parsed.head, name: name, length: length, digitCount: spot.digits.count)
        }
        return (parsed.head, parsed.framing)
    }
}
