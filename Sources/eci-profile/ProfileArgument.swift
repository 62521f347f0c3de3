import ArgumentParser
import ECIProfileCore
import ProfileSource

/// A profile named on the command line, loaded the way `check` reads it.
enum ProfileArgument {
    /// The valid profile at `path`; otherwise prints why to standard error and exits 2 when the
    /// file cannot be read, 1 when it is not a valid profile (as `check` does).
    static func load(_ path: String) throws -> Profile {
        let contents: ConfigMapFile.Contents
        do {
            contents = try ConfigMapFile.load(at: path)
        } catch {
            printError("\(error)")
            if case .unreadable = error { throw ExitCode(2) }
            throw ExitCode(1)
        }
        return try validated(ProfileParser.parse(contents.data, valueLines: contents.valueLines), source: path)
    }

    /// The profile of a parse; otherwise prints its errors, each prefixed with `source`, and exits 1.
    static func validated(_ result: ProfileParseResult, source: String) throws -> Profile {
        guard let profile = result.profile else {
            for error in result.errors { printError("\(source): error: \(error)") }
            throw ExitCode(1)
        }
        return profile
    }
}
