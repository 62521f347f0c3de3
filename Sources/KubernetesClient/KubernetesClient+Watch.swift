extension KubernetesClient {
    /// WATCHes `path` (which should carry `watch=1` and usually `resourceVersion`/`timeoutSeconds`),
    /// yielding events as lines arrive on a dedicated thread.
    ///
    /// The stream finishes when the server ends the response; it throws on a transport error or a
    /// non-200 answer (`KubernetesClientError.status`, e.g. 410). `timeout` bounds the whole
    /// transfer: make it slightly longer than the server-side `timeoutSeconds`. Ending the
    /// iteration (or cancelling its task) stops the transfer within about 100 ms (`TransferLimit.slice`).
    public func watch<Object: KubernetesObject>(
        _ type: Object.Type = Object.self,
        path: String,
        timeout: Duration
    ) -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
        let cancellation = TransferCancellation()
        continuation.onTermination = { _ in cancellation.cancel() }
        let limit = configuration.maximumResponseBytes
        Self.startThread(name: "kube-watch") {
            do throws(KubernetesClientError) {
                let (status, sink) = try self.perform(
                    path: path, body: nil, timeout: timeout, cancellation: cancellation
                ) { WatchStreamSink<Object>(continuation: continuation, limit: limit) }
                guard status == 200 else {
                    throw .status(.fromErrorBody(sink.errorBody.body, httpStatus: status))
                }
                try sink.finish()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }
}
