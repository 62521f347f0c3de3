/// Collects a whole response body, refusing bodies over a limit.
final class ResponseBodyCollector: ResponseSink {
    private(set) var body: [UInt8] = []
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func receive(_ bytes: UnsafeRawBufferPointer, status: Int) -> KubernetesClientError? {
        guard body.count + bytes.count <= limit else { return .responseTooLarge(limit: limit) }
        body.append(contentsOf: bytes)
        return nil
    }
}
