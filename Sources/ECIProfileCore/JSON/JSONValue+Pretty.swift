extension JSONValue {
    /// The value as indented JSON text (two spaces), for people to read.
    public var prettyJSONString: String {
        var text = ""
        appendPretty(to: &text, indent: "")
        return text
    }

    private func appendPretty(to text: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            text += "[\n"
            for (i, element) in elements.enumerated() {
                text += inner
                element.appendPretty(to: &text, indent: inner)
                text += i + 1 < elements.count ? ",\n" : "\n"
            }
            text += indent + "]"
        case .object(let members) where !members.isEmpty:
            text += "{\n"
            for (i, member) in members.enumerated() {
                text += inner + JSONValue.string(member.key).jsonString + ": "
                member.value.appendPretty(to: &text, indent: inner)
                text += i + 1 < members.count ? ",\n" : "\n"
            }
            text += indent + "}"
        default:
            text += jsonString
        }
    }
}
