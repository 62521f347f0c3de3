import ArgumentParser
import ECIProfileCore
import ProfileSource

/// `eci-profile check`: validates profiles offline.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate eci-profile ConfigMaps (YAML files or mounted ConfigMap directories).",
        discussion: "Prints every error and warning with its path. Exit status: 0 valid, 1 invalid (with --strict, also when there is a warning), 2 unreadable."
    )

    @Flag(help: "Treat warnings (unknown keys, no selectors key) as errors, for CI.")
    var strict = false

    @Argument(help: "ConfigMap YAML files or directories.")
    var files: [String]

    func run() throws {
        var worst: Int32 = 0
        for file in files {
            let contents: ConfigMapFile.Contents
            do {
                contents = try ConfigMapFile.load(at: file)
            } catch {
                printError("\(error)")
                if case .unreadable = error { worst = 2 } else { worst = max(worst, 1) }
                continue
            }
            let result = ProfileParser.parse(contents.data, valueLines: contents.valueLines)
            let warnings = strict ? [] : result.warnings
            let errors = strict ? result.warnings + result.errors : result.errors
            for warning in warnings { print("\(file): warning: \(warning)") }
            for error in errors { print("\(file): error: \(error)") }
            if let profile = result.profile, errors.isEmpty {
                print("\(file): valid: \(Self.summary(of: profile)), \(warnings.count) warning(s)")
            } else {
                let strictNote = strict && !result.warnings.isEmpty ? " (\(result.warnings.count) warning(s) made errors by --strict)" : ""
                print("\(file): invalid: \(errors.count) error(s)\(strictNote)")
                worst = max(worst, 1)
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// `6 selector(s) (1 audit), compatibility checks: all`.
    static func summary(of profile: Profile) -> String {
        let audit = profile.selectors.count(where: { $0.mode == .audit })
        let checks = profile.compatibilityChecks
        let enforced = checks == CompatibilityCheck.allCases ? "all" : (checks.isEmpty ? "none (guard off)" : checks.map(\.rawValue).joined(separator: ", "))
        return "\(profile.selectors.count) selector(s)\(audit > 0 ? " (\(audit) audit)" : ""), compatibility checks: \(enforced)"
    }
}
