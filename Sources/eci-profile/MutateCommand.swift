import AdmissionCodec
import ArgumentParser
import ECIProfileCore
import Foundation
import ProfileSource

/// `eci-profile mutate`: previews what the webhook would do to a pod, offline.
struct MutateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutate",
        abstract: "Preview the webhook's answer for an AdmissionReview or a Pod (YAML or JSON).",
        discussion: "Prints the AdmissionReview response; --explain prints why; --output pod prints the patched pod."
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case review, pod
    }

    @Option(help: "The eci-profile ConfigMap (YAML file or mounted directory).")
    var profile: String

    @Option(help: "Labels of the pod's namespace, as key=value pairs separated by commas.")
    var namespaceLabels: String?

    @Option(help: "A YAML/JSON file mapping namespace names to their labels.")
    var namespaceLabelsFile: String?

    @Option(help: "Namespace for a Pod input without metadata.namespace.")
    var namespace = "default"

    @Option(help: "Namespaces whose pods are never changed, separated by commas.")
    var excludedNamespaces = "kube-system"

    @Flag(help: "Print a human summary: the selectors that matched and why, the policy, the patch and warnings.")
    var explain = false

    @Option(help: "What to print: the AdmissionReview response (review) or the patched pod (pod).")
    var output: Output = .review

    @Argument(help: "An AdmissionReview or Pod file, YAML or JSON; - for standard input.")
    var input: String

    func validate() throws {
        if let namespaceLabels, NamespaceLabelsFile.parsePairs(namespaceLabels) == nil {
            throw ValidationError("--namespace-labels must be key=value pairs separated by commas")
        }
        if namespaceLabels != nil, namespaceLabelsFile != nil {
            throw ValidationError("use either --namespace-labels or --namespace-labels-file")
        }
    }

    func run() throws {
        let data: [String: String]
        do {
            data = try ConfigMapFile.loadData(at: profile)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let parsed = ProfileParser.parse(data)
        guard let loaded = parsed.profile else {
            for error in parsed.errors { printError("\(profile): error: \(error)") }
            throw ExitCode(1)
        }
        let labelsFor = try namespaceLabelsLookup()
        let preview: MutationPreview
        do {
            preview = try MutationPreview(input: readInput(), defaultNamespace: namespace)
        } catch {
            printError("\(input): \(error)")
            throw ExitCode(1)
        }
        let excluded = Set(excludedNamespaces.split(separator: ",").map(String.init))
        let reviewer = AdmissionReviewer(planner: MutationPlanner(profile: loaded, excludedNamespaces: excluded))
        let outcome = reviewer.review(preview.request) { .found(labelsFor($0)) }
        if explain {
            print(ExplanationFormatter(planner: reviewer.planner, preview: preview, outcome: outcome,
                                       namespaceLabels: labelsFor(preview.request.attributes.namespace)).text)
        } else if output == .pod {
            let patched = try (outcome.decision?.patch ?? []).apply(to: preview.object)
            print(patched.prettyJSONString)
        } else {
            print(String(decoding: outcome.response.encoded(apiVersion: preview.request.apiVersion), as: UTF8.self))
        }
    }

    /// The labels of a namespace: those of --namespace-labels for whatever namespace the pod is
    /// in, or the file's entry, or none.
    private func namespaceLabelsLookup() throws -> (String) -> [String: String] {
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

    private func readInput() throws -> [UInt8] {
        if input == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: input) else {
            printError("\(input): cannot read")
            throw ExitCode(2)
        }
        return Array(data)
    }
}
