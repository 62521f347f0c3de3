import ArgumentParser

/// `eci-profile`: the webhook server and its offline tools.
@main
struct ECIProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eci-profile",
        abstract: "Kubernetes mutating webhook that sends selected pods to ECI virtual nodes.",
        subcommands: [ServeCommand.self, CheckCommand.self, MutateCommand.self]
    )
}
