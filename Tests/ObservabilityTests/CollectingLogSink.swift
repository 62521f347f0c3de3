import Foundation
import Observability
import Synchronization
import Testing

/// A sink keeping every line, for reading back in tests.
final class CollectingLogSink: LogSink {
    private let lines = Mutex<[[UInt8]]>([])

    func write(line: [UInt8]) {
        lines.withLock { $0.append(line) }
    }

    /// The lines written so far, as text.
    func rawLines() -> [String] {
        lines.withLock { $0 }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The lines written so far, each decoded as a JSON object.
    func jsonObjects() throws -> [[String: Any]] {
        try lines.withLock { $0 }.map { line in
            try #require(line.last == UInt8(ascii: "\n"))
            let object = try JSONSerialization.jsonObject(with: Data(line.dropLast()))
            return try #require(object as? [String: Any])
        }
    }
}

