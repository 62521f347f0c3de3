import Logging
import Observability
import Testing

@Suite struct LogRedactionTests {
    @Test(arguments: ["token", "auth.bearerToken", "db.PASSWORD", "client_secret", "tls.privateKey", "apiKey"])
    func sensitiveKeys(_ key: String) {
        #expect(LogRedaction.isSensitive(key))
    }

    @Test(arguments: ["admission.uid", "pod.name", "namespace", "selector", "profile.source"])
    func ordinaryKeys(_ key: String) {
        #expect(!LogRedaction.isSensitive(key))
    }

    @Test func redactsAtEveryDepthByDottedPath() {
        let metadata: Logger.Metadata = [
            "admission.uid": "u-1",
            "secret": ["name": "webhook-tls", "data": "c2VjcmV0"],
            "auth": ["token": "abc", "user": "system:serviceaccount"],
            "clusters": [["name": "prod", "apiKey": "k-1"], "plain"],
        ]
        let redacted = LogRedaction.redact(metadata)
        #expect(redacted == [
            "admission.uid": "u-1",
            "secret": "[redacted]",
            "auth": ["token": "[redacted]", "user": "system:serviceaccount"],
            "clusters": [["name": "prod", "apiKey": "[redacted]"], "plain"],
        ])
    }
}
