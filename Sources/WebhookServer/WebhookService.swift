import Dispatch
import Foundation
import ECIProfileCore
import EventLoop
import HTTPServer
import KubernetesClient
public import Logging
public import Observability
import TLSEngine

/// The running webhook: both listeners on one event loop group, the profile and namespace
/// labels it serves with, certificate reloading, and the SIGTERM sequence (SPEC §4).
public final class WebhookService {
    let configuration: WebhookServiceConfiguration
    let logger: Logger
    let state: WebhookState

    let sources: Sources
    /// The metrics served on `/metrics`.
    public let metrics: WebhookMetrics

    /// The running sources of profile and namespace labels.
    enum Sources {
        case files(FileSources)
        case kubernetes(KubernetesSources)
    }

    /// Prepares the service; with file sources, reads the files. A bad profile leaves the webhook
    /// not ready (pods are allowed unchanged) until a good one arrives.
    public init(configuration: WebhookServiceConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        metrics = WebhookMetrics()
        switch configuration.source {
        case .files(let profile, let namespaceLabels):
            let labels = NamespaceLabelTable()
            state = WebhookState(excludedNamespaces: configuration.excludedNamespaces, namespaceLabels: labels)
            let files = FileSources(profilePath: profile, namespaceLabelsPath: namespaceLabels, state: state, labels: labels,
                                    logger: logger, metrics: metrics)
            files.loadAll()
            sources = .files(files)
        case .kubernetes(let clientConfiguration, let profileNamespace, let profileName):
            let client = KubernetesClient(configuration: clientConfiguration, logger: logger)
            let labels = KubernetesNamespaceLabels(client: client)
            state = WebhookState(excludedNamespaces: configuration.excludedNamespaces, namespaceLabels: labels)
            sources = .kubernetes(KubernetesSources(client: client, profileNamespace: profileNamespace, profileName: profileName,
                                                    state: state, labels: labels, metrics: metrics, logger: logger))
        }
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and returns. Call
    /// `SignalWatcher.block([.terminate, .interrupt])` first thing in `main`, before any thread exists.
    public func run() throws {
        // What configuring touched (the logger, the profile files or kubeconfig, the metrics) is not what
        // serving runs: released before the listeners start, the start-up peak stays under serving's own size.
        StartupPages.release(after: "configuration", logger: logger)
        let group = try EventLoopGroup(threadCount: configuration.workers)
        defer { group.shutdownGracefully() }
        let admission = AdmissionEndpoint(state: state, logger: logger, metrics: metrics)
        let observer = MetricsObserver(metrics: metrics)
        let webhook = HTTPServer(configuration: configuration.webhook, group: group,
                                 handler: WebhookRouter(listener: .webhook, state: state, admission: admission, metrics: metrics),
                                 logger: logger, observer: observer)
        if let budget = configuration.webhook.memoryBudget {
            metrics.setMemoryBudget(budget.limit)
            logger.info("memory budget", metadata: [
                "memory.budgetBytes": "\(budget.limit)", "memory.reserveBytes": "\(budget.reserve)",
            ])
        }
        try webhook.start()
        var servers = [webhook]
        if let metricsConfiguration = configuration.metrics {
            let probes = HTTPServer(configuration: metricsConfiguration, group: group,
                                    handler: WebhookRouter(listener: .metrics, state: state, admission: admission, metrics: metrics,
                                                           memoryBudget: configuration.webhook.memoryBudget),
                                    logger: logger, observer: observer)
            try probes.start()
            servers.append(probes)
            logger.info("serving probes and metrics", metadata: ["listen.port": "\(probes.port)"])
        }
        let firstLoop = group.loops[0]
        // The trimmer lives as long as the loop: its timer keeps it.
        try firstLoop.runBlocking { _ = HeapTrimmer(loop: firstLoop) }
        let watches: Task<Void, Never>?
        switch sources {
        case .files(let files):
            try firstLoop.runBlocking { try files.watch(on: firstLoop) }
            watches = nil
        case .kubernetes(let kubernetes):
            watches = kubernetes.start()
        }
        defer { watches?.cancel() }
        if let context = webhook.tlsContext { CertificateExpiry.report(context, logger: logger, metrics: metrics) }
        let reloader = configuration.webhook.tls == nil ? nil : TLSCertificateReloader(server: webhook, loop: group.next()) {
            [logger, metrics] result in
            switch result {
            case .success(let context):
                logger.info("serving certificate reloaded", metadata: ["tls.serial": "\(context.certificateSerial)"])
                metrics.recordTLSReload(success: true)
                CertificateExpiry.report(context, logger: logger, metrics: metrics)
            case .failure(let error):
                logger.error("serving certificate not reloaded; the previous one stays in use: \(error)")
                metrics.recordTLSReload(success: false)
            }
            StartupPages.release(after: "certificate reload", logger: logger)
        }
        try reloader?.start()
        logger.info("serving admission requests", metadata: [
            "listen.port": "\(webhook.port)", "http2": "\(configuration.webhook.enableHTTP2)", "version": "\(BuildInfo.version)",
        ])
        try firstLoop.runBlocking { [state, logger] in Self.releaseStartupPagesWhenReady(state: state, loop: firstLoop, logger: logger) }

        let stopped = DispatchSemaphore(value: 0)
        let loop = group.loops[0]
        let shutdown = ShutdownSequence(state: state, servers: servers, loop: loop, logger: logger,
                                        delay: configuration.shutdownDelay, grace: configuration.shutdownGrace) { stopped.signal() }
        let logger = logger
        loop.execute {
            do {
                // The watcher stays registered on the loop until the group shuts down.
                _ = try SignalWatcher(signals: [.terminate, .interrupt], loop: loop) { shutdown.begin(after: $0) }
            } catch {
                logger.critical("cannot watch signals: \(error)")
                stopped.signal()
            }
        }
        stopped.wait()
        reloader?.stop()
        logger.info("shut down")
    }

    /// Once the webhook is first ready (at once with valid profile files; after the first profile
    /// and namespace list from the API), drops the file pages start-up alone touched (argument
    /// parsing, YAML, certificates, the first LIST) from the resident set; see `StartupPages`.
    /// Measured on the release image binary under the benchmark load: peak RSS 23.4–24.2 → 14.4–14.9 MiB.
    /// The first requests do one-off work of their own (the Swift runtime fills its conformance and
    /// metadata caches on first use), so the pages are released once more `settle` later: under
    /// load that leaves 4 MiB less resident than the first release alone (file-backed 10.3 → 6.3 MiB).
    private static func releaseStartupPagesWhenReady(state: WebhookState, loop: EventLoop, logger: Logger,
                                                     settle: Duration = .seconds(10)) {
        guard state.notReadyReason == nil else {
            loop.scheduleTimer(after: .milliseconds(100)) { releaseStartupPagesWhenReady(state: state, loop: loop, logger: logger) }
            return
        }
        StartupPages.release(after: "start-up", logger: logger)
        loop.scheduleTimer(after: settle) { StartupPages.release(after: "the first requests", logger: logger) }
    }
}
