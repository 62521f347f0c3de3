import ECIProfileCore
import EventLoop
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


    /// Reads both files once.
    func loadAll() {
        loadProfile()
        loadNamespaceLabels()
    }

    /// Starts watching the files on `loop` (loop thread only). The watchers live as long as the loop.
    /// After each reload the pages only reading the files touched leave the resident set again.
    func watch(on loop: EventLoop, configuration: FileWatcherConfiguration = FileWatcherConfiguration()) throws {
        if let profilePath {
            _ = try FileWatcher(paths: Self.watchedPaths(for: profilePath), loop: loop, configuration: configuration) { [self] in
                loadProfile()
                StartupPages.release(after: "profile reload", logger: logger)
            }
        }
        if let namespaceLabelsPath {
            _ = try FileWatcher(paths: [namespaceLabelsPath], loop: loop, configuration: configuration) { [self] in
                loadNamespaceLabels()
                StartupPages.release(after: "namespace labels reload", logger: logger)
            }
        }
    }

    /// A kubelet-mounted directory changes by swapping `..data`; any other directory by its files.
    static func watchedPaths(for path: String) -> [String] {
        guard LocalFiles.kind(of: path) == .directory else { return [path] }
        let kubeletData = LocalFiles.path("..data", in: path)
        if LocalFiles.kind(of: kubeletData) != .missing { return [kubeletData] }
        let names = (try? LocalFiles.visibleNames(in: path)) ?? []
        return names.map { LocalFiles.path($0, in: path) }
    }

    private func loadProfile() {
        let loader = ProfileLoader(source: "file", state: state, metrics: metrics, logger: logger)
        guard let path = profilePath else {
            loader.installEmpty("no --profile-file", metadata: [:])
            return
        }
        let metadata: Logger.Metadata = ["profile.file": "\(path)"]
        do {
            loader.apply(try ConfigMapFile.loadData(at: path), origin: path, metadata: metadata)
        } catch {
            let malformed = if case .malformed = error { true } else { false }
            loader.recordUnreadable(error, malformed: malformed, metadata: metadata)
        }
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
