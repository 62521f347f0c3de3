/// A JSON Patch written as text from the pieces a `PreparedProfile` holds: whole operations, and
/// entries that go either into the one operation creating their container or each into its own.
struct PatchText {
    private(set) var bytes: [UInt8] = []
    /// The container whose creating operation is open, taking entries.
    private var creating: PreparedProfile.Container.Kind?
    /// The bracket closing that container (`]` or `}`); a `}` then closes the operation.
    private var closingBracket = UInt8(ascii: "}")
    private let capacity: Int

    /// A patch that expects to hold about `capacity` bytes (reserved with the first operation).
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds a whole operation.
    mutating func add(operation: [UInt8]) {
        closeContainer()
        startOperation()
        append(operation)
    }

    /// Adds `entry` to `container`: into the operation creating the container when `creating`
    /// (the first entry opens it), else as an operation of its own.
    mutating func add(_ entry: PreparedProfile.Entry, to container: PreparedProfile.Container, creating isCreating: Bool) {
        guard isCreating else { return add(operation: entry.operation) }
        if creating == container.kind {
            bytes.append(UInt8(ascii: ","))
        } else {
            closeContainer()
            startOperation()
            append(container.opening)
            creating = container.kind
            closingBracket = container.closingBracket
        }
        append(entry.inCreated)
    }

    /// Appends `piece`, borrowed: `append(contentsOf:)` took the array as its own, a retain and a
    /// release per piece (callgrind, `serve`, bench review: `MutationPlanner.plan` 6.06k -> 5.89k).
    private mutating func append(_ piece: [UInt8]) {
        piece.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
    }

    /// The patch's text: `[…]`, or empty when it has no operation.
    mutating func finish() -> [UInt8] {
        closeContainer()
        if !bytes.isEmpty { bytes.append(UInt8(ascii: "]")) }
        return bytes
    }

    private mutating func startOperation() {
        if bytes.isEmpty {
            bytes.reserveCapacity(capacity)
            bytes.append(UInt8(ascii: "["))
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    private mutating func closeContainer() {
        guard creating != nil else { return }
        // Two bytes appended one by one: appending them as a buffer cost 110 instructions, this 40
        // (callgrind, `serve`, bench review).
        bytes.append(closingBracket)
        bytes.append(UInt8(ascii: "}"))
        creating = nil
    }
}
