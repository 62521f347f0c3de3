import HTTPServer
import HTTPTypes
import Observability

/// Counts what the transport sees (every answered request, including the ones the transport
/// answered itself, such as 400, 413 and 431) into the webhook's metrics.
final class MetricsObserver: HTTPServerObserver {
    let metrics: WebhookMetrics

    init(metrics: WebhookMetrics) {
        self.metrics = metrics
    }

    func requestRejected(status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion) {
        metrics.recordHTTPRequest(path: "other", status: status.code, protocolVersion: protocolVersion.rawValue)
    }

    func requestHandled(path: String, status: HTTPResponse.Status, protocolVersion: HTTPProtocolVersion) {
        metrics.recordHTTPRequest(path: path, status: status.code, protocolVersion: protocolVersion.rawValue)
    }

    func memoryBudgetRefused() {
        metrics.recordMemoryBudgetRefusal()
    }

    func connectionShed() {
        metrics.recordMemoryBudgetShed()
    }
}
