import Foundation
import Logging
import Observability
import Synchronization
import Testing

@Suite struct FileDescriptorLogSinkTests {
    /// Lines longer than the pipe's capacity from 8 threads: without the sink's lock the kernel splits
    /// each write as the reader drains the pipe and interleaves them.
    @Test func concurrentLoggingFromEightThreadsGivesOnlyWholeLines() throws {
        let pipe = Pipe()
        let sink = FileDescriptorLogSink(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        let threads = 8
        let linesPerThread = 40
        let padding = String(repeating: "x", count: 100_000)

        let received = ReceivedBytes()
        let readerDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            received.set(pipe.fileHandleForReading.readDataToEndOfFile())
            readerDone.signal()
        }
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let logger = Logger(label: "thread-\(thread)") { JSONLogHandler(label: $0, sink: sink, metadataProvider: nil) }
            for index in 0..<linesPerThread {
                logger.info("\(thread)-\(index)-\(padding)", metadata: ["thread": "\(thread)"])
            }
        }
        try pipe.fileHandleForWriting.close()
        readerDone.wait()
        let data = received.get()

        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.last?.isEmpty == true)
        var seen = Set<String>()
        for line in lines.dropLast() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let message = try #require(object["msg"] as? String)
            let thread = try #require(object["thread"] as? String)
            #expect(message.hasPrefix("\(thread)-") && message.hasSuffix(padding))
            #expect(object["logger"] as? String == "thread-\(thread)")
            seen.insert(String(message.prefix { $0 != "x" }))
        }
        #expect(lines.count - 1 == threads * linesPerThread)
        #expect(seen.count == threads * linesPerThread)
    }
}

/// Bytes handed from the reader thread to the test.
private final class ReceivedBytes: Sendable {
    private let data = Mutex(Data())
    func set(_ bytes: Data) { data.withLock { $0 = bytes } }
    func get() -> Data { data.withLock { $0 } }
}
