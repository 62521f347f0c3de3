extension WebhookMetrics {
    /// Every series `WebhookMetrics` exports, besides the `process_*` ones.
    enum Catalog {
        static let admissionRequests = MetricDefinition(
            name: "eci_profile_admission_requests_total",
            help: "Admission requests answered, by operation and result (patched, unchanged, skipped, incompatible, failed_open).")
        static let admissionDuration = MetricDefinition(
            name: "eci_profile_admission_duration_seconds",
            help: "Time spent deciding one admission request, from decoded request to encoded response.")
        static let httpRequests = MetricDefinition(
            name: "eci_profile_http_requests_total",
            help: "HTTP requests served, by path (known routes, else other), status code and protocol.")
        static let requestsInFlight = MetricDefinition(
            name: "eci_profile_requests_in_flight",
            help: "HTTP requests being served right now.")
        static let selectorMatches = MetricDefinition(
            name: "eci_profile_selector_matches_total",
            help: "Pods matched, by profile selector name and mode (enforce, audit).")
        static let profileReloads = MetricDefinition(
            name: "eci_profile_profile_reloads_total",
            help: "Profile loads, by source (file, kubernetes) and result (success, invalid, error).")
        static let profileValid = MetricDefinition(
            name: "eci_profile_profile_valid",
            help: "1 when the last profile load gave a valid profile, else 0.")
        static let profileLastReload = MetricDefinition(
            name: "eci_profile_profile_last_reload_timestamp_seconds",
            help: "Unix time of the last profile load attempt.")
        static let namespaceCacheSize = MetricDefinition(
            name: "eci_profile_namespace_cache_size",
            help: "Namespaces whose labels are cached.")
        static let certificateExpiry = MetricDefinition(
            name: "eci_profile_tls_certificate_expiry_timestamp_seconds",
            help: "Unix time at which the serving certificate expires (notAfter).")
        static let tlsReloads = MetricDefinition(
            name: "eci_profile_tls_reloads_total",
            help: "Serving certificate reloads, by result (success, error).")
        static let buildInfo = MetricDefinition(
            name: "eci_profile_build_info",
            help: "Always 1; the version label is the running eci-profile's version.")

        /// Admission latency buckets, 50 µs to 1 s.
        /// Admission latency buckets in seconds, 50 µs to 1 s. (Plain `Double`s: swift-prometheus's
        /// `Duration` histogram compares through non-inlined `Duration` operators, several times slower.)
        static let durationBuckets: [Double] = [
            0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        ]

        /// Label values; anything else is exported as `other` (see `BoundedLabel`).
        static let operation = BoundedLabel(name: "operation", values: ["CREATE", "UPDATE", "DELETE", "CONNECT"])
        static let admissionResult = BoundedLabel(name: "result", values: ["patched", "unchanged", "skipped", "incompatible", "failed_open"])
        static let path = BoundedLabel(name: "path", values: ["/mutate", "/inject", "/healthz", "/readyz", "/metrics"])
        static let httpProtocol = BoundedLabel(name: "protocol", values: ["HTTP/1.1", "HTTP/2"])
        static let reloadSource = BoundedLabel(name: "source", values: ["file", "kubernetes"])
        static let reloadResult = BoundedLabel(name: "result", values: ["success", "invalid", "error"])

        /// Distinct selector names counted before further new names are counted as `other`.
        static let selectorSeriesLimit = 256
    }
}
