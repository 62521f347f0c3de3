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
        discussion: """
            Prints the AdmissionReview response; --explain prints why; --output pod prints the patched pod.
            Exit status: 0 done, 1 invalid profile, 2 unreadable input (profile file, namespace labels or INPUT); \
            with --exit-code, 3 when the pod would be patched.
            """
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case review, pod
    }

    @Option(help: "The eci-profile ConfigMap (YAML file or mounted directory).")
    var profile: String

    @OptionGroup var namespaces: NamespaceOptions

    @Flag(help: "Print a human summary: the selectors that matched and why, the policy, the patch and warnings.")
    var explain = false

    @Option(help: "What to print: the AdmissionReview response (review) or the patched pod (pod).")
    var output: Output = .review

    @Option(name: [.customShort("o"), .customLong("format")],
            help: "yaml or json (default: the input's format for --output pod, json for the review).")
    var format: MutationPreview.Format?

    @Flag(help: "Exit with status 3 when the pod would be patched (for scripts).")
    var exitCode = false

    @Argument(help: "An AdmissionReview or Pod file, YAML or JSON; - for standard input.")
    var input: String

    func run() throws {
        let loaded = try ProfileArgument.load(profile)
        let labelsFor = try namespaces.labelsLookup()
        let preview: MutationPreview
        do {
            preview = try MutationPreview(input: readInput(), defaultNamespace: namespaces.namespace)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("\(input): \(error)")
            throw ExitCode(2)
        }
        let reviewer = AdmissionReviewer(planner: MutationPlanner(profile: loaded, excludedNamespaces: namespaces.excluded))
        let outcome = reviewer.review(preview.request) { .found(labelsFor($0)) }
        if explain {
            print(ExplanationFormatter(planner: reviewer.planner, preview: preview, outcome: outcome,
                                       namespaceLabels: labelsFor(preview.request.attributes.namespace)).text)
        } else if output == .pod {
            let patched = try (outcome.decision?.patch ?? []).apply(to: preview.object)
            print(Self.text(of: patched, format: format ?? preview.format))
        } else {
            let response = String(decoding: outcome.response.encoded(apiVersion: preview.request.apiVersion), as: UTF8.self)
            if format == .yaml, let value = try? JSONValue(parsing: response) {
                print(Self.text(of: value, format: .yaml))
            } else {
                print(response)
            }
        }
        if exitCode, !(outcome.decision?.patch.isEmpty ?? true) { throw ExitCode(3) }
    }

    private static func text(of value: JSONValue, format: MutationPreview.Format) -> String {
        switch format {
        case .json: value.prettyJSONString
        case .yaml: String(value.yamlString.dropLast(value.yamlString.hasSuffix("\n") ? 1 : 0))
        }
    }

    private func readInput() throws -> [UInt8] {
        if input == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: input) else {
            let reason = FileManager.default.fileExists(atPath: input) ? "permission denied or not a regular file" : "no such file or directory"
            printError("\(input): cannot read: \(reason)")
            throw ExitCode(2)
        }
        return Array(data)
    }
}
