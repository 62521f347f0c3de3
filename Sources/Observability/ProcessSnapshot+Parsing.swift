extension ProcessSnapshot {
    /// The boot time, Unix seconds, from the `btime` line of `/proc/stat`.
    static func bootTime(parsing content: [UInt8], path: String) throws(ProcFileError) -> Int {
        for line in content.split(separator: UInt8(ascii: "\n")) {
            let words = line.split(separator: UInt8(ascii: " "))
            if words.count == 2, words[0].elementsEqual("btime".utf8),
               let seconds = Int(String(decoding: words[1], as: UTF8.self)) {
                return seconds
            }
        }
        throw .malformed(path: path, reason: "no btime line")
    }

    /// The soft limit of the `Max open files` row of `/proc/<pid>/limits`; nil when `unlimited`.
    static func maxOpenFiles(parsing content: [UInt8], path: String) throws(ProcFileError) -> Int? {
        let rowName = "Max open files"
        for line in content.split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix(rowName) else { continue }
            guard let softLimit = text.dropFirst(rowName.count).split(separator: " ").first else { break }
            if softLimit == "unlimited" { return nil }
            guard let value = Int(softLimit) else { break }
            return value
        }
        throw .malformed(path: path, reason: "no readable 'Max open files' row")
    }
}
