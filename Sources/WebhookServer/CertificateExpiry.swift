import Foundation
import Logging
import Observability
import TLSEngine

/// The serving certificate's expiry: exported as a metric, and warned about when it is near.
enum CertificateExpiry {
    /// Certificates expiring sooner than this are warned about.
    static let warningPeriod: TimeInterval = 30 * 24 * 3600

    static func report(_ context: TLSContext, logger: Logger, metrics: WebhookMetrics) {
        metrics.setCertificateExpiry(context.certificateNotAfter)
        let remaining = context.certificateNotAfter - Date().timeIntervalSince1970
        if remaining < warningPeriod {
            logger.warning("serving certificate expires in \(Int(remaining / 86400)) day(s); renew it",
                           metadata: ["tls.serial": "\(context.certificateSerial)", "tls.notAfter": "\(Date(timeIntervalSince1970: context.certificateNotAfter))"])
        }
    }
}
