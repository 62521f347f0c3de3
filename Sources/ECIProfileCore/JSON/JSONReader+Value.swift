extension JSONReader {
    /// Reads the next value into a tree.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        switch try peekKind() {
        case .object:
            var members: [JSONMember] = []
            try beginObject()
            while let key = try nextKey() {
                members.append(JSONMember(key.string, try readValue()))
            }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            try beginArray()
            while try nextElement() { elements.append(try readValue()) }
            return .array(elements)
        case .string: return .string(try readString())
        case .number: return .number(try readNumberLiteral())
        case .bool: return .bool(try readBool())
        case .null:
            try skipValue()
            return .null
        }
    }
}

extension JSONValue {
    /// Parses one complete JSON document.
    public init(parsing bytes: some Sequence<UInt8>) throws(JSONError) {
        let array = Array(bytes)
        let result: Result<JSONValue, JSONError> = array.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            do throws(JSONError) {
                let value = try reader.readValue()
                try reader.expectEnd()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Parses one complete JSON document from a string.
    public init(parsing text: String) throws(JSONError) {
        try self.init(parsing: text.utf8)
    }
}
