import ECIProfileCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The input is ConfigMap data: NUL-separated key, value, key, value…; a lone last key maps to "".
    let fields = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
    var configMapData: [String: String] = [:]
    for index in stride(from: 0, to: fields.count, by: 2) {
        let value = index + 1 < fields.count ? String(decoding: fields[index + 1], as: UTF8.self) : ""
        configMapData[String(decoding: fields[index], as: UTF8.self)] = value
    }
    let result = ProfileParser.parse(configMapData)
    guard let profile = result.profile else {
        guard !result.errors.isEmpty else { fatalError("rejected without an error") }
        return 0
    }
    guard result.errors.isEmpty else { fatalError("accepted with errors: \(result.errors)") }
    let reparsed = ProfileParser.parse(profile.configMapData)
    guard reparsed.profile == profile else {
        fatalError("round trip differs: \(reparsed.errors) \(profile.configMapData)")
    }
    return 0
}
