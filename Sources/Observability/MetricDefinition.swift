internal import Prometheus

/// A metric's full name and its `# HELP` text.
struct MetricDefinition: Sendable {
    /// The full Prometheus name, e.g. `eci_profile_admission_requests_total`.
    let name: String
    /// The `# HELP` text.
    let help: String

    /// The swift-prometheus descriptor; the full name goes in `metricName` so it is spelled once, here.
    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
