import Glibc

/// A child process started with `posix_spawn`, its stdin, stdout and stderr on pipes.
///
/// Foundation's `Process.waitUntilExit` can miss the exit of a short-lived child when many run at once (seen
/// as hung tests with a defunct `openssl`), so the tests spawn and reap children themselves with `waitpid`.
public final class ChildProcess {
    private let pid: pid_t
    private var stdinFD: Int32
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private var stdoutOpen = true
    private var stderrOpen = true
    private var status: Int32?
    /// Everything read from stdout and stderr so far.
    public private(set) var stdout: [UInt8] = []
    public private(set) var stderr: [UInt8] = []

    /// Starts `executable` (an absolute path) with `arguments`.
    public init(_ executable: String, _ arguments: [String]) throws {
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw ExternalTool.Failure(message: "pipe: errno \(errno)") }
            ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            pipes.append(ends)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0)
        posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipes[0][0])
        close(pipes[1][1])
        close(pipes[2][1])
        guard result == 0 else {
            [pipes[0][1], pipes[1][0], pipes[2][0]].forEach { close($0) }
            throw ExternalTool.Failure(message: "posix_spawn \(executable): \(result)")
        }
        self.pid = pid
        self.stdinFD = pipes[0][1]
        self.stdoutFD = pipes[1][0]
        self.stderrFD = pipes[2][0]
    }

    deinit {
        closeStdin()
        if status == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
        close(stdoutFD)
        close(stderrFD)
    }

    /// Writes `bytes` to the child's stdin (blocking; keep it under the pipe's 64 KiB).
    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count, stdinFD >= 0 {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Closes the child's stdin, so it reads end of file.
    public func closeStdin() {
        if stdinFD >= 0 { close(stdinFD) }
        stdinFD = -1
    }

    /// Reads stdout and stderr until `done` says so, both reach end of file, or `timeout` passes.
    public func read(timeout: Duration, until done: (ChildProcess) -> Bool = { _ in false }) {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while (stdoutOpen || stderrOpen) && !done(self) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return }
            var fds = [
                pollfd(fd: stdoutOpen ? stdoutFD : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stderrOpen ? stderrFD : -1, events: Int16(POLLIN), revents: 0),
            ]
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&fds, 2, min(milliseconds, 100)) > 0 else { continue }
            for (index, descriptor) in fds.enumerated() where descriptor.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor.fd, $0.baseAddress, $0.count) }
                if count <= 0 {
                    if index == 0 { stdoutOpen = false } else { stderrOpen = false }
                } else if index == 0 {
                    stdout.append(contentsOf: buffer[..<count])
                } else {
                    stderr.append(contentsOf: buffer[..<count])
                }
            }
        }
    }

    /// Waits for the child to exit (killing it after `timeout`) and answers its exit status (128 + signal
    /// when killed).
    public func waitForExit(timeout: Duration) -> Int32 {
        if let status { return status }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var raw: Int32 = 0
        while waitpid(pid, &raw, WNOHANG) == 0 {
            if ContinuousClock.now >= deadline { kill(pid, SIGKILL) }
            usleep(2_000)
        }
        let exited = raw & 0x7f == 0
        let code = exited ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status = code
        return code
    }
}
