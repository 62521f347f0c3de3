import Foundation

/// Runs command-line tools (`openssl`, `curl`) as child processes.
public enum ExternalTool {
    /// A finished child's exit status and everything it wrote.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// A test-support step that failed, naming the failing call.
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) {
            self.message = message
        }
    }

    /// Runs `executable` with `arguments`, feeding `input` on stdin; killed after `timeout`.
    public static func run(_ executable: String, _ arguments: [String], input: String = "", timeout: Duration = .seconds(20)) throws -> Output {
        let child = try ChildProcess(executable, arguments)
        child.write(Array(input.utf8))
        child.closeStdin()
        child.read(timeout: timeout)
        let status = child.waitForExit(timeout: .seconds(1))
        return Output(status: status, stdout: String(decoding: child.stdout, as: UTF8.self), stderr: String(decoding: child.stderr, as: UTF8.self))
    }

    /// Runs the `openssl` CLI and answers its standard output; throws with its standard error when it exits non-zero.
    @discardableResult
    public static func openssl(_ arguments: [String], input: String = "") throws -> String {
        let result = try run("/usr/bin/openssl", arguments, input: input)
        guard result.status == 0 else {
            throw Failure(message: "openssl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// `curl` trusting the test CA, with a deadline; `arguments` come after the common options.
    public static func curl(_ arguments: [String], certificates: TestCertificates) throws -> Output {
        try run("/usr/bin/curl", ["-s", "-S", "--max-time", "10", "--cacert", certificates.caFile] + arguments)
    }

    /// `openssl s_client` against 127.0.0.1:`port`, sending `input` (then waiting for the server to close
    /// when `waitForClose`).
    public static func sClient(port: Int, _ arguments: [String], input: String = "", waitForClose: Bool = false) throws -> Output {
        try run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"] + arguments
            + (waitForClose ? ["-quiet", "-ign_eof"] : []), input: input)
    }

    /// The serial number of the certificate a fresh TLS connection to `port` presents (`openssl x509 -serial`).
    public static func servedSerial(port: Int) throws -> String {
        let handshake = try sClient(port: port, [])
        let x509 = try run("/usr/bin/openssl", ["x509", "-noout", "-serial"], input: handshake.stdout)
        return x509.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
    }
}
