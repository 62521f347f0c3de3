import ArgumentParser
import ProfileSource

/// The `--namespace-labels` / `--namespace-labels-file` options of the offline commands.
struct NamespaceLabelsArgument {
    var pairs: String?
    var file: String?

    /// The checks `validate()` makes.
    func validate() throws {
        if let pairs, NamespaceLabelsFile.parsePairs(pairs) == nil {
            throw ValidationError("--namespace-labels must be key=value pairs separated by commas")
        }
        if pairs != nil, file != nil {
            throw ValidationError("use either --namespace-labels or --namespace-labels-file")
        }
    }

    /// The labels of a namespace: those of --namespace-labels for whatever namespace the pod is
    /// in, or the file's entry, or none. An unreadable file is printed and exits 2.
    func lookup() throws -> (String) -> [String: String] {
        if let pairs, let labels = NamespaceLabelsFile.parsePairs(pairs) {
            return { _ in labels }
        }
        guard let file else { return { _ in [:] } }
        do {
            let table = try NamespaceLabelsFile.load(at: file)
            return { table[$0] ?? [:] }
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
    }
}
