/// Kubernetes' rules for label keys, label values and annotation keys (the same limits and
/// character classes as apimachinery's `validation` package). Each function returns the problems
/// found, empty when the input is valid.
public enum KubernetesNames {
    static let nameMaxLength = 63
    static let subdomainMaxLength = 253
    static let labelValueMaxLength = 63

    /// Problems with a label key or annotation key: an optional DNS-1123 subdomain prefix and `/`,
    /// then a name of at most 63 characters.
    public static func qualifiedNameProblems(_ key: String) -> [String] {
        let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        let name: Substring
        var problems: [String] = []
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part must not be empty")
            } else {
                problems += subdomainProblems(prefix).map { "prefix part \($0)" }
            }
        default:
            return ["must be a name with at most one '/', as in 'example.com/name'"]
        }
        if name.isEmpty {
            problems.append("name part must not be empty")
        } else {
            if name.utf8.count > nameMaxLength {
                problems.append("name part must be no more than \(nameMaxLength) characters")
            }
            if !isNameLike(name) {
                problems.append("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
            }
        }
        return problems
    }

    /// Problems with a label value: empty, or at most 63 name characters.
    public static func labelValueProblems(_ value: String) -> [String] {
        guard !value.isEmpty else { return [] }
        var problems: [String] = []
        if value.utf8.count > labelValueMaxLength {
            problems.append("must be no more than \(labelValueMaxLength) characters")
        }
        if !isNameLike(Substring(value)) {
            problems.append("must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
        return problems
    }

    /// Problems with an annotation key: a qualified name, compared in lower case as Kubernetes does.
    public static func annotationKeyProblems(_ key: String) -> [String] {
        qualifiedNameProblems(key.lowercased())
    }

    /// Problems with a lowercase RFC 1123 subdomain such as `k8s.aliyun.com`.
    static func subdomainProblems(_ text: Substring) -> [String] {
        var problems: [String] = []
        if text.utf8.count > subdomainMaxLength {
            problems.append("must be no more than \(subdomainMaxLength) characters")
        }
        let labelsValid = text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.utf8.first, let last = label.utf8.last else { return false }
            return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
                && label.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        if !labelsValid {
            problems.append("must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character")
        }
        return problems
    }

    private static func isNameLike(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last) && text.utf8.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
