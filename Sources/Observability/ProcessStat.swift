/// The fields of `/proc/<pid>/stat` that the process metrics use (proc(5)).
struct ProcessStat: Equatable {
    /// `utime`, field 14: user-mode CPU time in clock ticks.
    var userTicks: Int
    /// `stime`, field 15: kernel-mode CPU time in clock ticks.
    var systemTicks: Int
    /// `starttime`, field 22: start time after boot in clock ticks.
    var startTicks: Int
    /// `vsize`, field 23: virtual memory size in bytes.
    var virtualMemoryBytes: Int
    /// `rss`, field 24: resident set size in pages.
    var residentPages: Int

    /// Parses the content of a stat file read from `path`.
    ///
    /// Field 2, the command name in parentheses, may itself contain spaces and parentheses, so fields
    /// are counted from the last `)`.
    init(parsing content: [UInt8], path: String) throws(ProcFileError) {
        guard let close = content.lastIndex(of: UInt8(ascii: ")")) else {
            throw .malformed(path: path, reason: "no ')' after the command name")
        }
        // After ")", the first field is field 3 (state).
        let fields = content[(close + 1)...].split(separator: UInt8(ascii: " "))
        func field(_ number: Int) throws(ProcFileError) -> Int {
            let index = number - 3
            guard index < fields.count, let value = Int(String(decoding: fields[index], as: UTF8.self)) else {
                throw .malformed(path: path, reason: "field \(number) missing or not an integer")
            }
            return value
        }
        userTicks = try field(14)
        systemTicks = try field(15)
        startTicks = try field(22)
        virtualMemoryBytes = try field(23)
        residentPages = try field(24)
    }
}
