import ECIProfileCore

/// A ConfigMap file whose text is one JSON object (as `kubectl get -o json` writes it), read with the
/// core's JSON reader. JSON is YAML too and reads to the same tree; going around the YAML parser keeps
/// it, and the Foundation and ICU code it runs, out of a server that is given JSON files.
struct JSONConfigMap {
    /// The whole document.
    var document: JSONValue
    /// The 1-based line where each value of the `data` object starts (its opening quote), as the YAML
    /// reader reports it for a double-quoted scalar.
    var valueLines: [String: Int]

    /// Reads `text`; nil when it is not a JSON object, for the YAML reader to read and report.
    init?(_ text: String) {
        var text = text
        let read: (JSONValue, [String: Int])? = text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var reader = JSONReader(bytes)
            do throws(JSONError) {
                guard case .object = try reader.peekKind() else { return nil }
                var members: [JSONMember] = []
                var lines: [String: Int] = [:]
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    let name = key.string
                    guard name == "data", case .object = try reader.peekKind() else {
                        members.append(JSONMember(name, try reader.readValue()))
                        continue
                    }
                    var data: [JSONMember] = []
                    try reader.beginObject()
                    while let dataKey = try reader.nextKey() {
                        let dataName = dataKey.string
                        lines[dataName] = Self.line(at: reader.offset, in: bytes)
                        data.append(JSONMember(dataName, try reader.readValue()))
                    }
                    members.append(JSONMember(name, .object(data)))
                }
                try reader.expectEnd()
                return (.object(members), lines)
            } catch {
                return nil
            }
        }
        guard let read else { return nil }
        (document, valueLines) = read
    }

    /// The line of the first byte at or after `offset` that is not JSON whitespace.
    private static func line(at offset: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        var start = offset
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        return 1 + bytes[..<start].count { $0 == UInt8(ascii: "\n") }
    }
}
