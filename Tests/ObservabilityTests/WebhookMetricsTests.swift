import Foundation
import Testing
@testable import Observability

@Suite struct WebhookMetricsTests {
    /// Metrics without process metrics (no procfs there), so the page holds only the webhook's series.
    private func isolatedMetrics() -> WebhookMetrics {
        WebhookMetrics(procRoot: "/nonexistent-proc")
    }

    private func text(_ metrics: WebhookMetrics) -> String {
        String(decoding: metrics.exposition(), as: UTF8.self)
    }

    private func sampleLines(_ page: String) -> [String] {
        page.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    /// The scripted sequence shared by the exact-lines test and the parser test.
    private func scriptedMetrics() -> WebhookMetrics {
        let metrics = isolatedMetrics()
        metrics.recordAdmission(operation: "CREATE", result: "patched", duration: .microseconds(40))
        metrics.recordAdmission(operation: "CREATE", result: "patched", duration: .microseconds(200))
        metrics.recordAdmission(operation: "CREATE", result: "patched", duration: .milliseconds(3))
        metrics.recordAdmission(operation: "CREATE", result: "failed_open", duration: .seconds(2))
        metrics.recordAdmission(operation: "PATCH", result: "exploded", duration: .microseconds(50))

        metrics.recordHTTPRequest(path: "/mutate", status: 200, protocolVersion: "HTTP/2")
        metrics.recordHTTPRequest(path: "/mutate?timeout=10s", status: 200, protocolVersion: "HTTP/2")
        metrics.recordHTTPRequest(path: "/mutate", status: 400, protocolVersion: "HTTP/1.1")
        metrics.recordHTTPRequest(path: "/healthz", status: 200, protocolVersion: "HTTP/1.1")
        metrics.recordHTTPRequest(path: "/wp-admin", status: 404, protocolVersion: "HTTP/1.1")
        metrics.recordHTTPRequest(path: "/a/b/c", status: 404, protocolVersion: "HTTP/1.1")
        metrics.recordHTTPRequest(path: "/metrics", status: 200, protocolVersion: "HTTP/1.0")

        metrics.requestStarted()
        metrics.requestStarted()
        metrics.requestStarted()
        metrics.requestFinished()

        metrics.recordSelectorMatches(enforced: ["batch-spot"])
        metrics.recordSelectorMatches(enforced: ["batch-spot", "effects"], audited: ["canary"])
        metrics.recordSelectorMatches(enforced: [])

        metrics.recordProfileReload(source: "kubernetes", result: "invalid", valid: false, at: 1_700_000_000)
        metrics.recordProfileReload(source: "kubernetes", result: "success", valid: true, at: 1_700_000_100.5)
        metrics.setNamespaceCacheSize(42)
        metrics.setCertificateExpiry(1_800_000_000)
        metrics.recordTLSReload(success: true)
        metrics.recordTLSReload(success: true)
        metrics.recordTLSReload(success: false)
        metrics.setMemoryBudget(47_185_920)
        metrics.setMemoryBudgetInUse(1_048_576)
        metrics.setMemoryBudgetInUse(524_288)
        metrics.recordMemoryBudgetRefusal()
        metrics.recordMemoryBudgetRefusal()
        metrics.recordMemoryBudgetShed()
        return metrics
    }

    @Test func scriptedSequenceGivesExactlyTheExpectedSamples() {
        let histogram = "eci_profile_admission_duration_seconds"
        let buckets = [
            ("5e-05", 2), ("0.0001", 2), ("0.00025", 3), ("0.0005", 3), ("0.001", 3), ("0.0025", 3),
            ("0.005", 4), ("0.01", 4), ("0.025", 4), ("0.05", 4), ("0.1", 4), ("0.25", 4), ("0.5", 4),
            ("1.0", 4), ("+Inf", 5),
        ]
        let expected = [
            #"eci_profile_admission_requests_total{operation="CREATE",result="patched"} 3"#,
            #"eci_profile_admission_requests_total{operation="CREATE",result="failed_open"} 1"#,
            #"eci_profile_admission_requests_total{operation="other",result="other"} 1"#,
            "\(histogram)_sum 2.00329",
            "\(histogram)_count 5",
            #"eci_profile_http_requests_total{path="/mutate",code="200",protocol="HTTP/2"} 2"#,
            #"eci_profile_http_requests_total{path="/mutate",code="400",protocol="HTTP/1.1"} 1"#,
            #"eci_profile_http_requests_total{path="/healthz",code="200",protocol="HTTP/1.1"} 1"#,
            #"eci_profile_http_requests_total{path="other",code="404",protocol="HTTP/1.1"} 2"#,
            #"eci_profile_http_requests_total{path="/metrics",code="200",protocol="other"} 1"#,
            "eci_profile_requests_in_flight 2.0",
            #"eci_profile_selector_matches_total{selector="batch-spot",mode="enforce"} 2"#,
            #"eci_profile_selector_matches_total{selector="effects",mode="enforce"} 1"#,
            #"eci_profile_selector_matches_total{selector="canary",mode="audit"} 1"#,
            #"eci_profile_profile_reloads_total{source="kubernetes",result="invalid"} 1"#,
            #"eci_profile_profile_reloads_total{source="kubernetes",result="success"} 1"#,
            "eci_profile_profile_valid 1.0",
            "eci_profile_profile_last_reload_timestamp_seconds 1700000100.5",
            "eci_profile_namespace_cache_size 42.0",
            "eci_profile_tls_certificate_expiry_timestamp_seconds 1800000000.0",
            #"eci_profile_tls_reloads_total{result="success"} 2"#,
            #"eci_profile_tls_reloads_total{result="error"} 1"#,
            #"eci_profile_build_info{version="\#(BuildInfo.version)"} 1.0"#,
            "eci_profile_memory_budget_bytes 47185920.0",
            "eci_profile_memory_budget_in_use_bytes 524288.0",
            "eci_profile_memory_budget_refusals_total 2",
            "eci_profile_memory_budget_sheds_total 1",
        ] + buckets.map { #"\#(histogram)_bucket{le="\#($0.0)"} \#($0.1)"# }

        let lines = sampleLines(text(scriptedMetrics()))
        #expect(lines.sorted() == expected.sorted())
    }

    @Test(arguments: [Duration.zero, .nanoseconds(1), .microseconds(73), .milliseconds(3), .seconds(9), .seconds(10),
                      .seconds(86_400 * 365) + .nanoseconds(7), .milliseconds(-2), .seconds(-12) - .nanoseconds(5)])
    func durationSecondsAreThoseOfItsComponents(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        #expect(WebhookMetrics.seconds(duration) == Double(seconds) + Double(attoseconds) / 1e18)
    }

    @Test func everyFamilyHasHelpAndTypeLines() {
        let page = text(scriptedMetrics())
        let families: [(MetricDefinition, String)] = [
            (WebhookMetrics.Catalog.admissionRequests, "counter"), (WebhookMetrics.Catalog.admissionDuration, "histogram"),
            (WebhookMetrics.Catalog.httpRequests, "counter"), (WebhookMetrics.Catalog.requestsInFlight, "gauge"),
            (WebhookMetrics.Catalog.selectorMatches, "counter"), (WebhookMetrics.Catalog.profileReloads, "counter"),
            (WebhookMetrics.Catalog.profileValid, "gauge"), (WebhookMetrics.Catalog.profileLastReload, "gauge"),
            (WebhookMetrics.Catalog.namespaceCacheSize, "gauge"), (WebhookMetrics.Catalog.certificateExpiry, "gauge"),
            (WebhookMetrics.Catalog.tlsReloads, "counter"), (WebhookMetrics.Catalog.buildInfo, "gauge"),
            (WebhookMetrics.Catalog.memoryBudget, "gauge"),
            (WebhookMetrics.Catalog.memoryBudgetInUse, "gauge"), (WebhookMetrics.Catalog.memoryBudgetRefusals, "counter"),
            (WebhookMetrics.Catalog.memoryBudgetSheds, "counter"),
        ]
        let comments = page.split(separator: "\n").filter { $0.hasPrefix("#") }.map(String.init)
        var expected: [String] = []
        for (definition, type) in families {
            expected.append("# HELP \(definition.name) \(definition.help)")
            expected.append("# TYPE \(definition.name) \(type)")
        }
        #expect(comments.sorted() == expected.sorted())
    }

    @Test func pageParsesWithPrometheusClient() throws {
        let families = try PythonExpositionParser.parse(scriptedMetrics().exposition())
        #expect(families.count == 16)

        let admissions = try #require(families["eci_profile_admission_requests"])
        #expect(admissions.type == "counter")
        #expect(admissions.help == WebhookMetrics.Catalog.admissionRequests.help)
        let patched = admissions.samples.first { $0.labels == ["operation": "CREATE", "result": "patched"] }
        #expect(patched?.value == 3)

        let duration = try #require(families["eci_profile_admission_duration_seconds"])
        #expect(duration.type == "histogram")
        let buckets = duration.samples.filter { $0.name.hasSuffix("_bucket") }
        #expect(buckets.count == 15)
        // Cumulative: counts never decrease as `le` grows, and +Inf equals _count.
        let ordered = buckets.sorted { Double($0.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf"))!
            < Double($1.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf"))! }
        #expect(ordered.map(\.value) == ordered.map(\.value).sorted())
        let count = duration.samples.first { $0.name.hasSuffix("_count") }?.value
        #expect(ordered.last?.value == count)
        #expect(count == 5)

        let http = try #require(families["eci_profile_http_requests"])
        let byCode = Dictionary(grouping: http.samples.filter { $0.name.hasSuffix("_total") }) { $0.labels["code"]! }
            .mapValues { $0.reduce(0) { $0 + $1.value } }
        #expect(byCode == ["200": 4, "400": 1, "404": 2])

        let selectors = try #require(families["eci_profile_selector_matches"])
        let bySelector = Dictionary(uniqueKeysWithValues: selectors.samples
            .filter { $0.name.hasSuffix("_total") }.map { ("\($0.labels["selector"]!)/\($0.labels["mode"]!)", $0.value) })
        #expect(bySelector == ["batch-spot/enforce": 2, "effects/enforce": 1, "canary/audit": 1])

        #expect(families["eci_profile_requests_in_flight"]?.type == "gauge")
        #expect(families["eci_profile_tls_certificate_expiry_timestamp_seconds"]?.samples.first?.value == 1_800_000_000)
    }

    @Test func unknownPathsCollapseToOther() {
        let metrics = isolatedMetrics()
        for index in 0..<50 {
            metrics.recordHTTPRequest(path: "/probe/\(index)", status: 404, protocolVersion: "HTTP/1.1")
        }
        metrics.recordHTTPRequest(path: "/readyz", status: 503, protocolVersion: "HTTP/1.1")
        metrics.recordHTTPRequest(path: "/inject", status: 999, protocolVersion: "HTTP/2")
        let lines = sampleLines(text(metrics)).filter { $0.hasPrefix("eci_profile_http_requests_total") }
        #expect(lines.sorted() == [
            #"eci_profile_http_requests_total{path="/inject",code="other",protocol="HTTP/2"} 1"#,
            #"eci_profile_http_requests_total{path="/readyz",code="503",protocol="HTTP/1.1"} 1"#,
            #"eci_profile_http_requests_total{path="other",code="404",protocol="HTTP/1.1"} 50"#,
        ])
    }

    @Test func selectorNamesPastTheLimitCountAsOther() {
        let metrics = isolatedMetrics()
        let limit = WebhookMetrics.Catalog.selectorSeriesLimit
        metrics.recordSelectorMatches(enforced: (0..<limit).map { "selector-\($0)" })
        metrics.recordSelectorMatches(enforced: ["late-1", "late-2", "selector-0"], audited: ["canary"])
        let lines = sampleLines(text(metrics)).filter { $0.hasPrefix("eci_profile_selector_matches_total") }
        #expect(lines.count == limit + 2)
        #expect(lines.contains(#"eci_profile_selector_matches_total{selector="other",mode="enforce"} 2"#))
        #expect(lines.contains(#"eci_profile_selector_matches_total{selector="selector-0",mode="enforce"} 2"#))
        #expect(lines.contains(#"eci_profile_selector_matches_total{selector="canary",mode="audit"} 1"#))
    }

    /// The family keeps the counters of the keys it counted last; a changed set must still count each key.
    @Test func repeatedAndChangingKeysCountEachTime() {
        let metrics = isolatedMetrics()
        for _ in 0..<3 { metrics.recordSelectorMatches(enforced: ["a", "b"]) }
        metrics.recordSelectorMatches(enforced: ["b"])
        metrics.recordSelectorMatches(enforced: ["a", "b"])
        metrics.recordSelectorMatches(enforced: ["b", "a"])
        metrics.recordAdmission(operation: "CREATE", result: "patched", duration: .microseconds(40))
        metrics.recordAdmission(operation: "CREATE", result: "unchanged", duration: .microseconds(40))
        metrics.recordAdmission(operation: "CREATE", result: "patched", duration: .microseconds(40))
        let lines = sampleLines(text(metrics)).filter { $0.hasPrefix("eci_profile_selector_matches_total") || $0.hasPrefix("eci_profile_admission_requests_total") }
        #expect(lines.sorted() == [
            #"eci_profile_admission_requests_total{operation="CREATE",result="patched"} 2"#,
            #"eci_profile_admission_requests_total{operation="CREATE",result="unchanged"} 1"#,
            #"eci_profile_selector_matches_total{selector="a",mode="enforce"} 5"#,
            #"eci_profile_selector_matches_total{selector="b",mode="enforce"} 6"#,
        ])
    }

    @Test func concurrentRecordingLosesNoCounts() async {
        let metrics = isolatedMetrics()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<10_000 {
                        metrics.requestStarted()
                        metrics.recordAdmission(operation: "CREATE", result: "unchanged", duration: .microseconds(80))
                        metrics.recordHTTPRequest(path: "/mutate", status: 200, protocolVersion: "HTTP/1.1")
                        metrics.requestFinished()
                    }
                }
            }
        }
        let lines = sampleLines(text(metrics))
        #expect(lines.contains(#"eci_profile_admission_requests_total{operation="CREATE",result="unchanged"} 40000"#))
        #expect(lines.contains(#"eci_profile_http_requests_total{path="/mutate",code="200",protocol="HTTP/1.1"} 40000"#))
        #expect(lines.contains("eci_profile_admission_duration_seconds_count 40000"))
        #expect(lines.contains("eci_profile_requests_in_flight 0.0"))
    }

    @Test func processMetricsArePresentAndPlausible() throws {
        let families = try PythonExpositionParser.parse(WebhookMetrics().exposition())
        func value(_ name: String) throws -> Double {
            try #require(families[name]?.samples.first?.value, "\(name) missing")
        }
        #expect(try value("process_resident_memory_bytes") > 1024 * 1024)
        #expect(try value("process_virtual_memory_bytes") >= value("process_resident_memory_bytes"))
        #expect(try value("process_open_fds") > 0)
        #expect(try value("process_max_fds") >= value("process_open_fds"))
        #expect(try value("process_cpu_seconds") > 0)
        #expect(families["process_cpu_seconds"]?.type == "counter")
        let now = Date().timeIntervalSince1970
        let start = try value("process_start_time_seconds")
        #expect(start <= now + 1 && start > now - 3600)
        #expect(families["process_open_fds"]?.help == "Number of open file descriptors.")
    }
}
