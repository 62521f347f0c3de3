import ArgumentParser

/// A byte count flag value as Kubernetes quantities write memory: `134217728`, `128Mi`, `1Gi`, `512Ki`.
struct ByteCountArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let bytes: Int
    let description: String

    init?(argument: String) {
        let units: [(suffix: String, factor: Int)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)]
        let unit = units.first { argument.hasSuffix($0.suffix) }
        let digits = argument.dropLast(unit?.suffix.count ?? 0)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value > 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: unit?.factor ?? 1)
        guard !overflow else { return nil }
        bytes = product
        description = argument
    }
}
