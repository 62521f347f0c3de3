import ECIProfileCore
import Foundation
import Logging
import Observability

/// Puts profile versions in force, whatever their source (SPEC §1, §4): each is validated
/// whole; a valid one is swapped in, an invalid or unreadable one leaves the last good profile
/// in force. Every outcome is logged and counted.
struct ProfileLoader: Sendable {
    /// The `source` label of the reload metric: `file` or `kubernetes`.
    let source: String
    let state: WebhookState
    let metrics: WebhookMetrics
    let logger: Logger

    /// Serves the empty profile (no ConfigMap): nothing matches.
    func installEmpty(_ why: String, metadata: Logger.Metadata) {
        state.install(.empty)
        recordReload("success")
        logger.info("\(why): serving the empty profile (no pod is changed)", metadata: metadata)
    }

    /// Validates `data` (ConfigMap data from `origin`) and puts it in force; returns the errors
    /// when it is rejected.
    @discardableResult
    func apply(_ data: [String: String], origin: String, metadata: Logger.Metadata) -> [ProfileIssue]? {
        let result = ProfileParser.parse(data)
        for warning in result.warnings { logger.warning("profile warning: \(warning)", metadata: metadata) }
        guard let profile = result.profile else {
            for error in result.errors { logger.error("profile error: \(error)", metadata: metadata) }
            logger.error("profile rejected with \(result.errors.count) error(s); the last good profile stays in force", metadata: metadata)
            state.recordProfileFailure("\(result.errors.count) error(s) in \(origin)")
            recordReload("invalid")
            return result.errors
        }
        state.install(profile)
        recordReload("success")
        logger.info("profile loaded", metadata: metadata.merging(["profile.selectors": "\(profile.selectors.count)"]) { $1 })
        return nil
    }

    /// Records that a version could not be read (`error`), or was read but is not a ConfigMap
    /// (`invalid`, as a version that fails validation).
    func recordUnreadable(_ error: any Error, malformed: Bool, metadata: Logger.Metadata) {
        logger.error("profile not read; the last good profile stays in force: \(error)", metadata: metadata)
        state.recordProfileFailure("\(error)")
        recordReload(malformed ? "invalid" : "error")
    }

    private func recordReload(_ result: String) {
        metrics.recordProfileReload(source: source, result: result, valid: result == "success", at: Date().timeIntervalSince1970)
    }
}
