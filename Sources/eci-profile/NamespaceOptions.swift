import ArgumentParser
import ProfileSource

/// The namespace options of the offline commands (`mutate`, `diff`): where the labels of a pod's
/// namespace come from, the namespace of inputs without one, and the excluded namespaces.
struct NamespaceOptions: ParsableArguments {
    @Option(help: "Labels of the inputs' namespace, as key=value pairs separated by commas.")
    var namespaceLabels: String?

    @Option(help: "A YAML/JSON file mapping namespace names to their labels.")
    var namespaceLabelsFile: String?

    @Option(help: "Namespace for inputs without metadata.namespace.")
    var namespace = "default"

    @Option(help: "Namespaces whose pods are never changed, separated by commas.")
    var excludedNamespaces = "kube-system"

    func validate() throws {
        if let namespaceLabels, NamespaceLabelsFile.parsePairs(namespaceLabels) == nil {
            throw ValidationError("--namespace-labels must be key=value pairs separated by commas")
        }
        if namespaceLabels != nil, namespaceLabelsFile != nil {
            throw ValidationError("use either --namespace-labels or --namespace-labels-file")
        }
    }

    /// Whether a flag gives the namespaces' labels.
    var givesLabels: Bool { namespaceLabels != nil || namespaceLabelsFile != nil }

    /// The excluded namespaces as a set.
    var excluded: Set<String> { Set(excludedNamespaces.split(separator: ",").map(String.init)) }

    /// The labels of a namespace: those of --namespace-labels for whatever namespace the pod is
    /// in, or the file's entry, or none. An unreadable file is printed and exits 2.
    func labelsLookup() throws -> (String) -> [String: String] {
        if let namespaceLabels, let labels = NamespaceLabelsFile.parsePairs(namespaceLabels) {
            return { _ in labels }
        }
        guard let namespaceLabelsFile else { return { _ in [:] } }
        do {
            let table = try NamespaceLabelsFile.load(at: namespaceLabelsFile)
            return { table[$0] ?? [:] }
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
    }
}
