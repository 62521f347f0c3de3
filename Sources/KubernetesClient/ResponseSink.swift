/// Receives the response body of one transfer as it arrives, on the transfer thread.
protocol ResponseSink: AnyObject {
    /// Takes the next body bytes of a response with HTTP `status`; an error aborts the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer, status: Int) -> KubernetesClientError?
}
