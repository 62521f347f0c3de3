import Foundation
import Logging

/// Creates core/v1 Events about objects (for example a ConfigMap holding an invalid profile).
public final class EventRecorder: Sendable {
    /// Kind of an Event.
    public enum EventType: String, Sendable {
        /// Informational.
        case normal = "Normal"
        /// Something an operator should look at.
        case warning = "Warning"
    }

    /// The API server's limit on an Event's message.
    public static let maximumMessageBytes = 1024

    private let client: KubernetesClient
    private let component: String
    private let instance: String
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// Creates a recorder reporting as `component` (`reportingComponent`) from `instance` (the pod name).
    public init(
        client: KubernetesClient,
        component: String = "eci-profile",
        instance: String = ProcessInfo.processInfo.hostName,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.component = component
        self.instance = String(instance.prefix(128))
        self.logger = logger
        self.now = now
    }

    /// POSTs an Event about `involvedObject` to its namespace; throws unless the server accepts it.
    /// A given `name` makes the Event unique: when it already exists (another replica recorded
    /// it), that counts as success.
    public func record(
        involvedObject: ObjectReference,
        reason: String,
        message: String,
        type: EventType = .warning,
        action: String = "Validate",
        name: String? = nil
    ) async throws {
        let date = now()
        let namespace = involvedObject.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let nanoseconds = UInt64(date.timeIntervalSince1970 * 1_000_000_000)
        let suffix = "." + String(nanoseconds, radix: 16)
        let event = CoreEvent(
            metadata: .init(name: name ?? String(involvedObject.name.prefix(253 - suffix.count)) + suffix, namespace: namespace),
            involvedObject: involvedObject,
            reason: reason,
            message: Self.truncate(message, toBytes: Self.maximumMessageBytes),
            type: type.rawValue,
            action: action,
            source: .init(component: component),
            firstTimestamp: CoreEvent.timestamp(date, microseconds: false),
            lastTimestamp: CoreEvent.timestamp(date, microseconds: false),
            eventTime: CoreEvent.timestamp(date, microseconds: true),
            reportingComponent: component,
            reportingInstance: instance
        )
        let body = Array(try JSONEncoder().encode(event))
        let response = try await client.post(path: "/api/v1/namespaces/\(namespace)/events", body: body)
        // With a given name, another replica may have recorded the same Event first.
        if name != nil, response.status == 409 { return }
        guard (200..<300).contains(response.status) else {
            throw KubernetesClientError.status(.fromErrorBody(response.body, httpStatus: response.status))
        }
        logger.debug("recorded event", metadata: ["kubernetes.event": "\(event.metadata.name)", "kubernetes.reason": "\(reason)"])
    }

    /// The longest prefix of `text` that fits in `limit` UTF-8 bytes without splitting a character.
    static func truncate(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= limit else { break }
            result.append(character)
            used += size
        }
        return result
    }
}
