import ECIProfileCore
import EventLoop
import Foundation
import Logging
import Observability
import ProfileSource

/// The profile and namespace labels read from files (SPEC §4 file mode): read at start, then
/// again whenever the files change (inotify on their directories, so kubelet's `..data` swap and
/// editors' write-and-rename are seen, plus a poll). An invalid profile or labels file leaves the
/// last good state in force.
final class FileSources: Sendable {
    let profilePath: String?
    let namespaceLabelsPath: String?
    let state: WebhookState
    let labels: NamespaceLabelTable
    let logger: Logger
    let metrics: WebhookMetrics

    init(profilePath: String?, namespaceLabelsPath: String?, state: WebhookState, labels: NamespaceLabelTable, logger: Logger,
         metrics: WebhookMetrics) {
        self.profilePath = profilePath
        self.namespaceLabelsPath = namespaceLabelsPath
        self.state = state
        self.labels = labels
        self.logger = logger
        self.metrics = metrics
    }

    private func recordReload(_ result: String) {
        metrics.recordProfileReload(source: "file", result: result, valid: result == "success", at: Date().timeIntervalSince1970)
    }

    /// Reads both files once.
    func loadAll() {
        loadProfile()
        loadNamespaceLabels()
    }

    /// Starts watching the files on `loop` (loop thread only). The watchers live as long as the loop.
    func watch(on loop: EventLoop, configuration: FileWatcherConfiguration = FileWatcherConfiguration()) throws {
        if let profilePath {
            _ = try FileWatcher(paths: Self.watchedPaths(for: profilePath), loop: loop, configuration: configuration) { [self] in
                loadProfile()
            }
        }
        if let namespaceLabelsPath {
            _ = try FileWatcher(paths: [namespaceLabelsPath], loop: loop, configuration: configuration) { [self] in
                loadNamespaceLabels()
            }
        }
    }

    /// A kubelet-mounted directory changes by swapping `..data`; any other directory by its files.
    static func watchedPaths(for path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let kubeletData = (path as NSString).appendingPathComponent("..data")
        if FileManager.default.fileExists(atPath: kubeletData) { return [kubeletData] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    private func loadProfile() {
        guard let path = profilePath else {
            logger.warning("no --profile-file: serving the empty profile (no pod is changed)")
            state.install(.empty)
            recordReload("success")
            return
        }
        let metadata: Logger.Metadata = ["profile.file": "\(path)"]
        let data: [String: String]
        do {
            data = try ConfigMapFile.loadData(at: path)
        } catch {
            logger.error("profile not read; the last good profile stays in force: \(error)", metadata: metadata)
            state.recordProfileFailure("\(error)")
            recordReload("error")
            return
        }
        let result = ProfileParser.parse(data)
        for warning in result.warnings { logger.warning("profile warning: \(warning)", metadata: metadata) }
        guard let profile = result.profile else {
            for error in result.errors { logger.error("profile error: \(error)", metadata: metadata) }
            logger.error("profile rejected with \(result.errors.count) error(s); the last good profile stays in force", metadata: metadata)
            state.recordProfileFailure("\(result.errors.count) error(s) in \(path)")
            recordReload("invalid")
            return
        }
        state.install(profile)
        recordReload("success")
        logger.info("profile loaded", metadata: metadata.merging(["profile.selectors": "\(profile.selectors.count)"]) { $1 })
    }

    private func loadNamespaceLabels() {
        guard let path = namespaceLabelsPath else { return }
        do {
            labels.replace(with: try NamespaceLabelsFile.load(at: path))
            metrics.setNamespaceCacheSize(labels.count)
            logger.info("namespace labels loaded", metadata: ["namespaces.file": "\(path)", "namespaces.count": "\(labels.count)"])
        } catch {
            logger.error("namespace labels not read; the last good labels stay in force: \(error)")
        }
    }
}
