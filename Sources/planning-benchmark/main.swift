// Measures the admission hot path without the network: decode an AdmissionReview, plan the
// mutation, encode the response.
// Usage: planning-benchmark [--selectors N] PROFILE.yaml NAMESPACES.yaml REVIEW.json…
// --selectors N puts N selectors that match no namespace of NAMESPACES.yaml (half by matchLabels,
// half by a matchExpressions In) before the profile's own: every review evaluates them all first,
// the cost of a big profile. Build it in release mode (scripts/bench does).
import AdmissionCodec
import ECIProfileCore
import Foundation
import ProfileSource

var argumentList = Array(CommandLine.arguments.dropFirst())
var extraSelectors = 0
if argumentList.first == "--selectors", argumentList.count >= 2, let count = Int(argumentList[1]), count >= 0 {
    extraSelectors = count
    argumentList.removeFirst(2)
}
guard argumentList.count >= 3 else {
    FileHandle.standardError.write(Data("usage: planning-benchmark [--selectors N] PROFILE NAMESPACES REVIEW...\n".utf8))
    exit(2)
}

/// The profile's data with `count` non-matching selectors before its own.
func withExtraSelectors(_ data: [String: String], count: Int) throws -> [String: String] {
    guard count > 0 else { return data }
    let own = try JSONSerialization.jsonObject(with: Data((data["selectors"] ?? "[]").utf8)) as? [Any] ?? []
    let extra: [Any] = (0..<count).map { i in
        let team = "bench-team-\(i)"
        let namespaceSelector: [String: Any] = i.isMultiple(of: 2)
            ? ["matchLabels": ["team": team]]
            : ["matchExpressions": [["key": "team", "operator": "In", "values": [team, team + "-b"]]]]
        return ["name": "bench-\(i)", "namespaceSelector": namespaceSelector,
                "effect": ["annotations": ["example.com/bench": "\(i)"]]] as [String: Any]
    }
    var data = data
    data["selectors"] = String(decoding: try JSONSerialization.data(withJSONObject: extra + own), as: UTF8.self)
    return data
}

/// CPU time of this thread: steadier than the wall clock on a machine shared with other work.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
guard let profile = ProfileParser.parse(try withExtraSelectors(ConfigMapFile.loadData(at: argumentList[0]), count: extraSelectors)).profile else {
    FileHandle.standardError.write(Data("invalid profile\n".utf8))
    exit(1)
}
let namespaces = try NamespaceLabelsFile.load(at: argumentList[1])
let reviewer = AdmissionReviewer(planner: MutationPlanner(profile: profile))

for path in argumentList[2...] {
    let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    func once() throws -> Int {
        let request = try AdmissionReviewDecoder.decode(body)
        let outcome = reviewer.review(request) { .found(namespaces[$0] ?? [:]) }
        return outcome.response.encoded(apiVersion: request.apiVersion).count
    }
    var sink = 0
    for _ in 0..<200 { sink &+= try once() }
    let clock = ContinuousClock()
    var iterations = 0
    let start = clock.now
    let cpuStart = threadCPUSeconds()
    // BENCH_ITERATIONS runs a fixed count instead of a fixed time: for instruction counts under
    // callgrind, which are repeatable on a busy machine where times are not.
    let environment = ProcessInfo.processInfo.environment
    if let fixed = environment["BENCH_ITERATIONS"].flatMap({ Int($0) }) {
        for _ in 0..<fixed { sink &+= try once() }
        iterations = fixed
    } else {
        while clock.now - start < .milliseconds(Int(environment["BENCH_MS"] ?? "2000") ?? 2000) {
            for _ in 0..<100 { sink &+= try once() }
            iterations += 100
        }
    }
    let elapsed = clock.now - start
    let cpuPerOp = (threadCPUSeconds() - cpuStart) / Double(iterations) * 1e6
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perOp = seconds / Double(iterations) * 1e6
    print(String(format: "%@  %d selectors  %d bytes  %.2f µs/review  %.0f reviews/s  %.2f µs CPU/review  (checksum %d)",
                 (path as NSString).lastPathComponent, profile.selectors.count, body.count, perOp, Double(iterations) / seconds, cpuPerOp, sink % 997))
}
