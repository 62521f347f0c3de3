import Foundation

/// Turns a 200 watch body into events on a stream as lines arrive; keeps any other body as an error.
final class WatchStreamSink<Object: KubernetesObject>: ResponseSink {
    private var splitter: WatchLineSplitter
    private let continuation: AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation
    private let decoder = JSONDecoder()
    let errorBody: ResponseBodyCollector

    init(continuation: AsyncThrowingStream<WatchEvent<Object>, any Error>.Continuation, limit: Int) {
        self.continuation = continuation
        splitter = WatchLineSplitter(maximumLineLength: limit)
        errorBody = ResponseBodyCollector(limit: limit)
    }

    func receive(_ bytes: UnsafeRawBufferPointer, status: Int) -> KubernetesClientError? {
        guard status == 200 else { return errorBody.receive(bytes, status: status) }
        splitter.append(bytes: bytes)
        do {
            while let line = try splitter.next() {
                try deliver(line)
            }
            return nil
        } catch {
            return error
        }
    }

    /// Delivers a last line the server did not end with a newline.
    func finish() throws(KubernetesClientError) {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
        if splitter.remainder.contains(where: { !whitespace.contains($0) }) { try deliver(splitter.remainder) }
    }

    private func deliver(_ line: [UInt8]) throws(KubernetesClientError) {
        do {
            continuation.yield(try decoder.decode(WatchEvent<Object>.self, from: Data(line)))
        } catch {
            throw .decoding(what: "watch event of \(Object.self)", reason: "\(error)")
        }
    }
}
