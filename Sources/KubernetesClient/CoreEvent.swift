import Foundation

/// The JSON body of a core/v1 Event as `EventRecorder` creates it.
///
/// Setting `eventTime` makes the API server apply its newer checks (reportingComponent,
/// reportingInstance and action required; note at most 1024 bytes), so all of them are filled.
struct CoreEvent: Encodable {
    struct Metadata: Encodable {
        var name: String
        var namespace: String
    }

    struct Source: Encodable {
        var component: String
    }

    var apiVersion = "v1"
    var kind = "Event"
    var metadata: Metadata
    var involvedObject: ObjectReference
    var reason: String
    var message: String
    var type: String
    var action: String
    var source: Source
    var firstTimestamp: String
    var lastTimestamp: String
    var eventTime: String
    var count = 1
    var reportingComponent: String
    var reportingInstance: String

    /// RFC 3339 in UTC with whole seconds (meta/v1 Time) or microseconds (meta/v1 MicroTime).
    static func timestamp(_ date: Date, microseconds: Bool) -> String {
        let total = date.timeIntervalSince1970
        let seconds = total.rounded(.down)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        if microseconds {
            text += "." + pad(min(999_999, Int(((total - seconds) * 1_000_000).rounded(.down))), 6)
        }
        return text + "Z"
    }
}
