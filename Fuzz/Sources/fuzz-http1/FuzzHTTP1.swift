import FuzzSupport
import HTTP1

/// Small limits, so the fuzzer reaches every one of them.
private let limits = HTTP1ParserLimits(maxHeaderBytes: 2_048, maxBodyBytes: 4_096, maxChunkLineBytes: 64)

/// Everything one parser reported for a sequence of pieces.
private struct Outcome: Equatable {
    var events: [HTTP1ParserEvent] = []
    var error: HTTP1ParseError?
    var isIdle = true
}

/// Feeds `pieces` to a fresh parser, pulling events after each, and checks the event order and limits.
private func parse(_ pieces: [UnsafeRawBufferPointer]) -> Outcome {
    var parser = HTTP1RequestParser(limits: limits)
    var outcome = Outcome()
    var openHead: HTTP1RequestHead?
    feeding: for piece in pieces {
        parser.append(piece)
        do {
            while let event = try parser.next() {
                switch event {
                case .head(let head):
                    guard openHead == nil else { fatalError("second head before the first request completed") }
                    openHead = head
                case .request(let head, let body):
                    guard head == openHead else { fatalError("request without its head: \(head) after \(String(describing: openHead))") }
                    guard body.count <= limits.maxBodyBytes else { fatalError("body of \(body.count) bytes exceeds the limit") }
                    openHead = nil
                }
                outcome.events.append(event)
            }
        } catch {
            outcome.error = error
            // A failed parser stays failed, whatever comes next.
            parser.append(piece)
            do {
                _ = try parser.next()
                fatalError("parser recovered after \(error)")
            } catch let again {
                guard again == error else { fatalError("error changed from \(error) to \(again)") }
            }
            break feeding
        }
    }
    outcome.isIdle = parser.isIdle
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let split = parse(input.pieces)
    let whole = parse(input.whole)
    guard split == whole else { fatalError("outcome depends on the split: \(split) vs \(whole)") }
    return 0
}
