import ArgumentParser
import Observability

/// `eci-profile`: the webhook server and its offline tools.
@main
struct ECIProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eci-profile",
        abstract: "Kubernetes mutating webhook that sends selected pods to ECI virtual nodes.",
        version: BuildInfo.version,
        subcommands: [ServeCommand.self, CheckCommand.self, MutateCommand.self, DiffCommand.self]
    )
}
