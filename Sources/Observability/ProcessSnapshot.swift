internal import Glibc

/// The figures behind the standard `process_*` metrics, read from procfs when the page is rendered.
///
/// A figure whose file cannot be read or parsed is nil and its metric is left out of the page.
struct ProcessSnapshot: Equatable {
    /// User plus system CPU time, in seconds.
    var cpuSeconds: Double?
    /// Resident set size, in bytes.
    var residentMemoryBytes: Int?
    /// Virtual memory size, in bytes.
    var virtualMemoryBytes: Int?
    /// Process start as Unix time, in seconds.
    var startTimeSeconds: Double?
    /// Open file descriptors.
    var openFileDescriptors: Int?
    /// The soft limit on open file descriptors; nil when unlimited.
    var maxFileDescriptors: Int?

    /// The kernel's clock ticks per second, the unit of CPU and start times in `/proc/self/stat`.
    static let clockTicksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
    /// The memory page size, the unit of the resident size in `/proc/self/stat`.
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Reads the current process's figures under `procRoot` (normally `/proc`).
    static func read(
        procRoot: String, clockTicksPerSecond: Int = Self.clockTicksPerSecond, pageSize: Int = Self.pageSize
    ) -> ProcessSnapshot {
        var snapshot = ProcessSnapshot()
        let ticks = Double(clockTicksPerSecond)
        if let stat = try? ProcessStat(parsing: ProcFile.read("\(procRoot)/self/stat"), path: "\(procRoot)/self/stat") {
            snapshot.cpuSeconds = Double(stat.userTicks + stat.systemTicks) / ticks
            snapshot.residentMemoryBytes = stat.residentPages * pageSize
            snapshot.virtualMemoryBytes = stat.virtualMemoryBytes
            if let bootTime = try? Self.bootTime(parsing: ProcFile.read("\(procRoot)/stat"), path: "\(procRoot)/stat") {
                snapshot.startTimeSeconds = Double(bootTime) + Double(stat.startTicks) / ticks
            }
        }
        snapshot.openFileDescriptors = try? ProcFile.countEntries("\(procRoot)/self/fd")
        if let limits = try? ProcFile.read("\(procRoot)/self/limits") {
            snapshot.maxFileDescriptors = try? Self.maxOpenFiles(parsing: limits, path: "\(procRoot)/self/limits")
        }
        return snapshot
    }
}
