import Testing
import TLSEngine

/// A `TLSConnection` server and a `TestTLSClient` wired back to back through memory.
final class InMemoryTLSPair {
    let server: TLSConnection
    let client: TestTLSClient
    /// Everything the server has decrypted so far.
    var serverPlaintext: [UInt8] = []
    /// What the server's latest `readPlaintext` answered.
    var serverResult: TLSReadResult = .ok
    /// How many bytes the server is handed per `receive`; nil hands it each flight whole.
    var serverChunkSize: Int?

    init(context: TLSContext, client: TestTLSClient) throws {
        server = try TLSConnection(context: context)
        self.client = client
    }

    /// Moves bytes both ways until neither side has anything left to send.
    func run() {
        var toClient: [UInt8] = []
        for _ in 0..<100 {
            client.advance()
            let toServer = client.takeCiphertext()
            deliverToServer(toServer)
            toClient.removeAll(keepingCapacity: true)
            server.takeCiphertext(into: &toClient)
            #expect(!server.hasPendingCiphertext)
            client.receive(toClient)
            if toServer.isEmpty && toClient.isEmpty { return }
        }
        Issue.record("the peers kept talking for 100 rounds")
    }

    private func deliverToServer(_ bytes: [UInt8]) {
        var start = 0
        while start < bytes.count {
            if case .failed = serverResult { return }
            let end = min(bytes.count, start + (serverChunkSize ?? bytes.count))
            bytes[start..<end].withUnsafeBytes { server.receive(ciphertext: $0) }
            serverResult = server.readPlaintext(into: &serverPlaintext)
            start = end
        }
    }

    /// Whether the server's latest read failed, and its error.
    var serverFailure: TLSError? {
        if case .failed(let error) = serverResult { error } else { nil }
    }
}
