/// A fuzzer input read as two chunk sizes followed by a byte stream.
///
/// The first two bytes are piece sizes used in turn (0 means "all the rest"); the stream after
/// them is delivered in pieces of those sizes, so the fuzzer explores how a parser copes with
/// every split of its input, from one byte at a time to one batch.
public struct FuzzInput {
    /// The bytes after the two size bytes.
    public let stream: UnsafeRawBufferPointer
    private let sizes: (Int, Int)

    /// Reads `size` bytes at `data`; an input shorter than two bytes is all stream, in one piece.
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let all = UnsafeRawBufferPointer(start: data, count: size)
        guard size >= 2 else {
            stream = all
            sizes = (0, 0)
            return
        }
        stream = UnsafeRawBufferPointer(rebasing: all[2...])
        sizes = (Int(all[0]), Int(all[1]))
    }

    /// The stream in one piece.
    public var whole: [UnsafeRawBufferPointer] { [stream] }

    /// The stream cut into pieces of the two sizes, alternately.
    public var pieces: [UnsafeRawBufferPointer] {
        var pieces: [UnsafeRawBufferPointer] = []
        var start = 0
        var turn = 0
        while start < stream.count {
            let size = turn % 2 == 0 ? sizes.0 : sizes.1
            let end = size == 0 ? stream.count : min(stream.count, start + size)
            pieces.append(UnsafeRawBufferPointer(rebasing: stream[start..<end]))
            start = end
            turn += 1
        }
        return pieces
    }
}
