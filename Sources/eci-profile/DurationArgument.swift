import ArgumentParser

/// A duration flag value written as Kubernetes components write them: `500ms`, `5s`, `2m`, `1m30s`.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var duration: Duration
    let description: String

    init?(argument: String) {
        let units: [(suffix: String, nanoseconds: Int64)] = [("ms", 1_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000)]
        var rest = Substring(argument)
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isNumber)
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.nanoseconds
        }
        guard !argument.isEmpty else { return nil }
        duration = .nanoseconds(total)
        description = argument
    }
}
