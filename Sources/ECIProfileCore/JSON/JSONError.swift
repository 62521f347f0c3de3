/// Why a byte sequence is not the JSON that was expected.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset where the problem was found.
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at byte \(offset)" }
}
