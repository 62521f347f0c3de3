import Foundation

/// Parses Prometheus text exposition with Python's `prometheus_client` (an independent implementation).
///
/// Needs `python3` with `prometheus_client`, which `scripts/install-deps` installs.
enum PythonExpositionParser {
    struct Family: Decodable, Equatable {
        var name: String
        var type: String
        var help: String
        var samples: [Sample]
    }

    struct Sample: Decodable, Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = [{"name": f.name, "type": f.type, "help": f.documentation,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                    for f in text_string_to_metric_families(sys.stdin.read())]
        json.dump(families, sys.stdout)
        """

    /// The metric families of `exposition`, keyed by family name (`_total` stripped from counters).
    static func parse(_ exposition: [UInt8]) throws -> [String: Family] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: exposition)
        try input.fileHandleForWriting.close()
        let json = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ParseFailure(description: "prometheus_client parser failed: " + String(decoding: stderr, as: UTF8.self))
        }
        let families = try JSONDecoder().decode([Family].self, from: json)
        return Dictionary(families.map { ($0.name, $0) }) { first, _ in first }
    }
}
