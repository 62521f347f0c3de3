/// Validates the cluster-level ECI settings of a profile (SPEC §1). They are kept as written and
/// not used for mutation.
enum ClusterSettingsValidator {
    static let booleanKeys: Set<String> = [
        "enableClusterIp", "enableHybridMode", "enableLinuxArm64Node", "enableLogController",
        "enablePVCController", "enablePrivateZone", "enableReuseSSLKey",
    ]
    static let identifierKeys: Set<String> = ["vpcId", "securityGroupId", "slsMachineGroup"]
    static let keys: Set<String> = booleanKeys.union(identifierKeys).union(["vSwitchIds", "featureGates"])

    /// Returns the settings present in `data`, in key order, calling `report(path, message)` for each problem.
    static func validate(_ data: [String: String], report: (String, String) -> Void) -> [KeyValue] {
        for key in booleanKeys.sorted() {
            if let value = data[key], value != "true", value != "false" {
                report(key, "must be \"true\" or \"false\", not \"\(value)\"")
            }
        }
        for key in identifierKeys.sorted() {
            if let value = data[key], value.isEmpty || value.contains(where: \.isWhitespace) {
                report(key, "must be a non-empty identifier without spaces")
            }
        }
        if let list = data["vSwitchIds"] {
            for (index, id) in list.split(separator: ",", omittingEmptySubsequences: false).enumerated()
            where id.trimmingSpaces.isEmpty || id.trimmingSpaces.contains(where: \.isWhitespace) {
                report("vSwitchIds[\(index)]", "must be a non-empty identifier without spaces")
            }
        }
        if data["enableLogController"] == "true", (data["slsMachineGroup"] ?? "").isEmpty {
            report("slsMachineGroup", "required when enableLogController is \"true\"")
        }
        if let gates = data["featureGates"], !gates.isEmpty {
            for (index, gate) in gates.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let parts = gate.trimmingSpaces.split(separator: "=", omittingEmptySubsequences: false)
                let nameValid = parts.first.map { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber } } ?? false
                if parts.count != 2 || !nameValid || (parts[1] != "true" && parts[1] != "false") {
                    report("featureGates[\(index)]", "must be Name=true or Name=false, not \"\(gate)\"")
                }
            }
        }
        return data.keys.sorted().filter(keys.contains).map { KeyValue($0, data[$0]!) }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
