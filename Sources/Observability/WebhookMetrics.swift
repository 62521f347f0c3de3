internal import Prometheus

/// The webhook's Prometheus metrics: one instance per process, shared by every connection.
///
/// Each instance owns its own registry (the global `MetricsSystem` is not bootstrapped), so tests can
/// make isolated instances. Counters on the request path are cached by integer key (see `CounterFamily`)
/// and incremented lock-free; label values are bounded (see `BoundedLabel`), so clients cannot grow the
/// series count. Selector names come from the profile, which the operator controls; they are capped at
/// 256 distinct names, later new names being counted as `other`.
public final class WebhookMetrics: Sendable {
    /// The `Content-Type` of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let registry = PrometheusCollectorRegistry()
    private let admissions: CounterFamily<Int>
    private let admissionDuration: ValueHistogram
    private let httpRequests: CounterFamily<Int>
    /// Matches of enforced and of audit selectors: one family each, so each keeps a plain
    /// string key and its own bound on selector names.
    private let enforcedSelectorMatches: CounterFamily<String>
    private let auditSelectorMatches: CounterFamily<String>
    private let inFlight: Gauge
    private let profileValid: Gauge
    private let namespaceCacheSize: Gauge
    private let memoryBudgetInUse: Gauge
    private let memoryBudgetRefusals: Counter
    private let memoryBudgetSheds: Counter
    private let procRoot: String

    /// Creates the metrics; `procRoot` is where process metrics are read from (`/proc` outside tests).
    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
        admissions = CounterFamily(registry: registry, definition: Catalog.admissionRequests)
        admissionDuration = registry.makeValueHistogram(
            descriptor: Catalog.admissionDuration.descriptor, buckets: Catalog.durationBuckets)
        httpRequests = CounterFamily(registry: registry, definition: Catalog.httpRequests)
        enforcedSelectorMatches = CounterFamily(
            registry: registry, definition: Catalog.selectorMatches,
            seriesLimit: Catalog.selectorSeriesLimit, overflowKey: BoundedLabel.other)
        auditSelectorMatches = CounterFamily(
            registry: registry, definition: Catalog.selectorMatches,
            seriesLimit: Catalog.selectorSeriesLimit, overflowKey: BoundedLabel.other)
        inFlight = registry.makeGauge(descriptor: Catalog.requestsInFlight.descriptor)
        profileValid = registry.makeGauge(descriptor: Catalog.profileValid.descriptor)
        namespaceCacheSize = registry.makeGauge(descriptor: Catalog.namespaceCacheSize.descriptor)
        registry.makeGauge(descriptor: Catalog.buildInfo.descriptor, labels: [("version", BuildInfo.version)]).set(to: 1)
        memoryBudgetInUse = registry.makeGauge(descriptor: Catalog.memoryBudgetInUse.descriptor)
        memoryBudgetRefusals = registry.makeCounter(descriptor: Catalog.memoryBudgetRefusals.descriptor)
        memoryBudgetSheds = registry.makeCounter(descriptor: Catalog.memoryBudgetSheds.descriptor)
    }

    /// Counts one answered admission request and observes how long deciding it took.
    ///
    /// `operation` is the request's operation (`CREATE`, `UPDATE`, `DELETE`, `CONNECT`); `result` is one of
    /// `patched`, `unchanged`, `skipped`, `incompatible`, `failed_open`. Other values are counted as `other`.
    public func recordAdmission(operation: String, result: String, duration: Duration) {
        let operationIndex = Catalog.operation.index(of: operation)
        let resultIndex = Catalog.admissionResult.index(of: result)
        admissions.increment(operationIndex * Catalog.admissionResult.cardinality + resultIndex) { key in
            [Catalog.operation.pair(at: key / Catalog.admissionResult.cardinality),
             Catalog.admissionResult.pair(at: key % Catalog.admissionResult.cardinality)]
        }
        admissionDuration.record(Self.seconds(duration))
    }

    /// `duration` in seconds, as `Double(seconds) + Double(attoseconds) / 1e18` of its components.
    /// Durations under 9.2 s are split with 64-bit division: `components` divides 128 bits, 190
    /// instructions per admission request (callgrind, `serve`, bench review).
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = Int64(exactly: duration.attoseconds)?.quotientAndRemainder(dividingBy: 1_000_000_000_000_000_000)
            ?? duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Counts one match for each named selector (the selectors that matched one pod), with
    /// `mode="enforce"` for `enforced` and `mode="audit"` for `audited`.
    public func recordSelectorMatches(enforced: [String], audited: [String] = []) {
        enforcedSelectorMatches.increment(enforced) { [("selector", $0), ("mode", "enforce")] }
        auditSelectorMatches.increment(audited) { [("selector", $0), ("mode", "audit")] }
    }

    /// Sets the memory budget's size in bytes.
    public func setMemoryBudget(_ bytes: Int) {
        registry.makeGauge(descriptor: Catalog.memoryBudget.descriptor).set(to: Double(bytes))
    }

    /// Sets the bytes of the memory budget in use.
    public func setMemoryBudgetInUse(_ bytes: Int) {
        memoryBudgetInUse.set(to: Double(bytes))
    }

    /// Counts one read the memory budget refused (the connection stopped reading until there is room).
    public func recordMemoryBudgetRefusal() {
        memoryBudgetRefusals.increment()
    }

    /// Counts one connection shed to free memory budget.
    public func recordMemoryBudgetShed() {
        memoryBudgetSheds.increment()
    }

    /// Counts one served HTTP request.
    ///
    /// `path` is the request target (a query is ignored); paths outside the webhook's routes count as `other`.
    /// `protocolVersion` is `HTTP/1.1` or `HTTP/2` (else `other`); `status` outside 100...599 counts as `other`.
    public func recordHTTPRequest(path: String, status: Int, protocolVersion: String) {
        // The query stripped as the router strips it: kube-apiserver's targets carry one
        // (`?timeout=10s`), so looking the whole target up first only paid where none does.
        let pathIndex = Catalog.path.index(of: RequestTarget.path(of: path))
        let protocolIndex = Catalog.httpProtocol.index(of: protocolVersion)
        let code = (100...599).contains(status) ? status : 0
        let key = (pathIndex * Catalog.httpProtocol.cardinality + protocolIndex) * 1000 + code
        httpRequests.increment(key) { key in
            let code = key % 1000
            let route = key / 1000
            return [Catalog.path.pair(at: route / Catalog.httpProtocol.cardinality),
                    ("code", code == 0 ? BoundedLabel.other : String(code)),
                    Catalog.httpProtocol.pair(at: route % Catalog.httpProtocol.cardinality)]
        }
    }

    /// Marks the start of serving a request (pair with `requestFinished()`).
    public func requestStarted() {
        inFlight.increment()
    }

    /// Marks the end of serving a request started with `requestStarted()`.
    public func requestFinished() {
        inFlight.decrement()
    }

    /// Records one profile load attempt.
    ///
    /// `source` is `file` or `kubernetes`; `result` is `success`, `invalid` or `error` (others count as
    /// `other`). `valid` says whether the load gave a valid profile; `secondsSince1970` is when it happened.
    public func recordProfileReload(source: String, result: String, valid: Bool, at secondsSince1970: Double) {
        let sourcePair = Catalog.reloadSource.pair(at: Catalog.reloadSource.index(of: source))
        let resultPair = Catalog.reloadResult.pair(at: Catalog.reloadResult.index(of: result))
        registry.makeCounter(descriptor: Catalog.profileReloads.descriptor, labels: [sourcePair, resultPair]).increment()
        profileValid.set(to: valid ? 1 : 0)
        registry.makeGauge(descriptor: Catalog.profileLastReload.descriptor).set(to: secondsSince1970)
    }

    /// Sets the number of namespaces whose labels are cached.
    public func setNamespaceCacheSize(_ count: Int) {
        namespaceCacheSize.set(to: Double(count))
    }

    /// Sets the serving certificate's expiry (its notAfter) as Unix time; the series appears on first call.
    public func setCertificateExpiry(_ secondsSince1970: Double) {
        registry.makeGauge(descriptor: Catalog.certificateExpiry.descriptor).set(to: secondsSince1970)
    }

    /// Counts one serving certificate reload.
    public func recordTLSReload(success: Bool) {
        registry.makeCounter(
            descriptor: Catalog.tlsReloads.descriptor, labels: [("result", success ? "success" : "error")]
        ).increment()
    }

    /// The Prometheus text exposition (format 0.0.4) of every metric, process metrics read now.
    ///
    /// Process metrics that cannot be read (no `/proc`, as off Linux) are left out.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        ProcessSnapshot.read(procRoot: procRoot).appendExposition(to: &buffer)
        return buffer
    }
}
