extension ProcessSnapshot {
    /// Appends the standard `process_*` metrics, with `# HELP` and `# TYPE` lines, in text format 0.0.4.
    func appendExposition(to buffer: inout [UInt8]) {
        func append(_ name: String, _ type: String, _ help: String, _ value: String?) {
            guard let value else { return }
            buffer.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n".utf8)
        }
        append("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
               cpuSeconds.map { "\($0)" })
        append("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
               residentMemoryBytes.map { "\($0)" })
        append("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
               virtualMemoryBytes.map { "\($0)" })
        append("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
               startTimeSeconds.map { "\($0)" })
        append("process_open_fds", "gauge", "Number of open file descriptors.",
               openFileDescriptors.map { "\($0)" })
        append("process_max_fds", "gauge", "Maximum number of open file descriptors.",
               maxFileDescriptors.map { "\($0)" })
    }
}
