import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A plain-HTTP server on a loopback port that answers each request with scripted byte pieces,
/// written one by one with a pause between them (so the client sees them in separate reads),
/// and counts the connections it accepted. Requests are read up to their empty line (GETs).
final class ScriptedHTTPServer: Sendable {
    /// What to write for the `index`th request (0-based, over all connections); an empty script
    /// keeps the connection open and silent.
    typealias Script = @Sendable (_ index: Int) -> [String]

    private let listener: LoopbackListener
    private let state = Mutex<(connections: Int, requests: [String], open: [Int32])>((0, [], []))
    private let script: Script
    /// Pause between two pieces.
    private let pause: Duration
    /// Whether the server closes each connection after its first answer.
    private let closesAfterAnswer: Bool

    init(pause: Duration = .milliseconds(20), closesAfterAnswer: Bool = false, script: @escaping Script) throws {
        listener = try LoopbackListener()
        self.script = script
        self.pause = pause
        self.closesAfterAnswer = closesAfterAnswer
        listener.acceptConnections { [self] connection in
            state.withLock {
                $0.connections += 1
                $0.open.append(connection)
            }
            serve(connection)
        }
    }

    var port: Int { listener.port }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var connections: Int { state.withLock { $0.connections } }

    /// Request heads (through their empty line) received so far, in order.
    var requestHeads: [String] { state.withLock { $0.requests } }

    /// Stops accepting and closes every connection.
    func stop() {
        listener.stop()
        state.withLock { state in
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var pending: [UInt8] = []
        while true {
            while !pending.contains(subsequence: [13, 10, 13, 10]) {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(connection, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                pending += chunk[..<count]
            }
            let end = pending.firstRange(of: [13, 10, 13, 10])!.upperBound
            let head = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end)
            let index = state.withLock { state in
                state.requests.append(head)
                return state.requests.count - 1
            }
            let pieces = script(index)
            if pieces.isEmpty {
                var byte: UInt8 = 0
                _ = recv(connection, &byte, 1, 0)  // silent until the client goes away
                return
            }
            for (number, piece) in pieces.enumerated() {
                if number > 0 { Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18) }
                guard send(connection, piece, piece.utf8.count, Int32(MSG_NOSIGNAL)) == piece.utf8.count else { return }
            }
            if closesAfterAnswer { return }
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(subsequence: [UInt8]) -> Bool { firstRange(of: subsequence) != nil }
}
