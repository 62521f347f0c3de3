/// One problem found in a profile, located by its path in the ConfigMap's data
/// (e.g. `selectors[2].objectSelector.matchExpressions[0].values`).
public struct ProfileIssue: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The name of the selector the path is inside, when it has one.
    public var selectorName: String?

    public init(path: String, message: String, selectorName: String? = nil) {
        self.path = path
        self.message = message
        self.selectorName = selectorName
    }

    /// `path: message`, followed by the selector's name when known.
    public var description: String {
        let base = "\(path): \(message)"
        guard let selectorName else { return base }
        return "\(base) (selector \"\(selectorName)\")"
    }
}

/// The outcome of reading a profile: the profile when it is valid, and everything found on the way.
public struct ProfileParseResult: Sendable {
    /// The profile; nil when there is any error (validation is all-or-nothing).
    public var profile: Profile?
    public var errors: [ProfileIssue]
    /// Problems that do not reject the profile, such as unknown keys.
    public var warnings: [ProfileIssue]
}
