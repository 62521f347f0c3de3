import EventLoop
import Foundation
import Glibc
import HTTPServer
import Synchronization
import TLSEngine
import TLSTestSupport
import Testing

@Suite struct TLSCertificateReloaderTests {
    /// Copies the first server pair to a directory of its own, so the test can replace the files.
    private static func makeCertificateDirectory(_ certificates: TestCertificates) throws -> (directory: String, chain: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (chain, key) = (directory + "/tls.crt", directory + "/tls.key")
        try FileManager.default.copyItem(atPath: certificates.serverChainFile, toPath: chain)
        try FileManager.default.copyItem(atPath: certificates.serverKeyFile, toPath: key)
        return (directory, chain, key)
    }

    /// Replaces `path` with `source`'s contents by write-and-rename, as kubelet and editors do.
    private static func replace(_ path: String, withContentsOf source: String) throws {
        let temporary = path + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, path) == 0 else { throw ExternalTool.Failure(message: "rename: errno \(errno)") }
    }

    @Test func changedFilesAreServedToNewConnectionsAndBrokenOnesAreIgnored() throws {
        let certificates = try TestCertificates.shared()
        let files = try Self.makeCertificateDirectory(certificates)
        defer { try? FileManager.default.removeItem(atPath: files.directory) }
        let server = try TestServer {
            $0.tls = .makeServerConfiguration(certificateChainFile: files.chain, privateKeyFile: files.key)
        }
        defer { server.stop() }
        let outcomes = Mutex<[String]>([])  // "ok SERIAL" or "failed REASON"
        let reloader = TLSCertificateReloader(
            server: server.server, loop: server.group.loops[0],
            watcherConfiguration: FileWatcherConfiguration(pollInterval: .milliseconds(200), debounce: .milliseconds(50))
        ) { result in
            let outcome = switch result {
            case .success(let context): "ok \(context.certificateSerial)"
            case .failure(let error): "failed \(error)"
            }
            outcomes.withLock { $0.append(outcome) }
        }
        try reloader.start()
        defer { reloader.stop() }
        #expect(reloader.paths == [files.chain, files.key])

        try Self.replace(files.key, withContentsOf: certificates.otherServerKeyFile)
        try Self.replace(files.chain, withContentsOf: certificates.otherServerChainFile)
        #expect(server.observer.wait { _ in outcomes.withLock { $0.last } == "ok \(TestCertificates.otherServerSerial)" })
        #expect(server.server.tlsContext?.certificateSerial == TestCertificates.otherServerSerial)
        #expect(try ExternalTool.servedSerial(port: server.port) == TestCertificates.otherServerSerial)

        // A key that does not match the certificate: reported, and the server keeps the last good pair.
        try Self.replace(files.key, withContentsOf: certificates.serverKeyFile)
        #expect(server.observer.wait { _ in
            outcomes.withLock { $0.last?.hasPrefix("failed ") == true }
        })
        #expect(server.server.tlsContext?.certificateSerial == TestCertificates.otherServerSerial)
        let output = try server.curl(["--http1.1", server.url("/still")])
        #expect(output.stdout == "HTTP/1.1 GET /still", "\(output.stderr)")
    }
}
