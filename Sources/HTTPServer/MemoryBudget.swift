import Synchronization

/// One process-wide account of the memory clients can make the server hold: request heads and bodies
/// being read, output not yet sent, and an estimate per connection for its TLS and HTTP/2 state.
/// Thread-safe; shared by every loop (and, if wanted, by several servers).
///
/// Maintainers' note on fairness: the last `reserve` bytes of the budget are only for requests that
/// arrive fast on connections that have delivered a whole request before (kube-apiserver reuses its
/// keep-alive connections). Any other request (an attacker's 8 MiB body on a new connection as much as a
/// new client's first review) and any request still unfinished `staleAfter` after its first byte (a
/// stalled body, a dribbled head, a client that does not read its answers) may hold at most
/// `limit - reserve`; beyond that its connection stops being read (backpressure). When fast requests
/// need the reserve, the loops shed the stale holders, longest-held first (503 and close), until the
/// reserve is free again. And while a request has waited for budget for a while (starved: 20 ms on a
/// connection that has delivered a request, `staleAfter` on a new one), the holders of older requests that
/// are parked or slow are shed, oldest first, until it fits (see `StarvedRequests.mayShed`). So a legitimate review
/// that arrives in one burst on the API server's connection finds room at once, while new and slow
/// clients cannot grow past their share.
///
/// The loops watch the budget (resume, shed) only while it is under pressure: from the first refused
/// read, which wakes every loop's watch, until a read outside the reserve fits again and no connection
/// waits.
public final class MemoryBudget: Sendable {
    /// Bytes that may be charged in all.
    public let limit: Int
    /// The part of `limit` that only fast requests on connections that have delivered one before may use.
    public let reserve: Int
    /// Age after which an unfinished request counts as slow.
    public let staleAfter: Duration

    private let used = Atomic<Int>(0)
    /// Per loop: when the newest requests that have waited for budget (parked) for a while began.
    private let starved = Mutex<[ObjectIdentifier: StarvedRequests]>([:])
    private let refusals = Atomic<Int>(0)
    private let sheds = Atomic<Int>(0)
    /// Per loop: arms its budget watch.
    private let watchers = Mutex<[ObjectIdentifier: @Sendable () -> Void]>([:])
    /// Whether the loops' watches were woken since one last went idle.
    private let watchersWoken = Atomic<Bool>(false)

    /// A budget of `limit` bytes; `reserve` defaults to a quarter of it (at least 4 MiB when the limit allows).
    public init(limit: Int, reserve: Int? = nil, staleAfter: Duration = .seconds(1)) {
        precondition(limit > 0, "a memory budget needs a positive limit")
        self.limit = limit
        self.reserve = min(limit / 2, reserve ?? max(limit / 4, min(4 << 20, limit / 2)))
        self.staleAfter = staleAfter
    }

    /// Bytes charged right now.
    public var inUse: Int {
        used.load(ordering: .relaxed)
    }

    /// Charges refused so far (each time a connection had to stop reading for want of budget).
    public var refusalCount: Int {
        refusals.load(ordering: .relaxed)
    }

    /// Connections shed so far to free budget.
    public var shedCount: Int {
        sheds.load(ordering: .relaxed)
    }

    /// The most a request of that kind may bring the total to: `limit`, or `limit - reserve` when it is
    /// held `outsideReserve`.
    public func ceiling(outsideReserve: Bool) -> Int {
        outsideReserve ? limit - reserve : limit
    }

    /// Charges `bytes` if the total stays within `ceiling(outsideReserve:)`; otherwise charges nothing,
    /// counts a refusal when `countRefusal`, and answers false.
    public func tryCharge(_ bytes: Int, outsideReserve: Bool, countRefusal: Bool = true) -> Bool {
        let ceiling = ceiling(outsideReserve: outsideReserve)
        var current = used.load(ordering: .relaxed)
        while current + bytes <= ceiling {
            let (exchanged, original) = used.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        if countRefusal { refusals.add(1, ordering: .relaxed) }
        return false
    }

    /// Charges `bytes` unconditionally: memory that is already allocated (a buffer that grew while being read).
    public func forceCharge(_ bytes: Int) {
        used.add(bytes, ordering: .relaxed)
    }

    /// Returns `bytes` charged earlier.
    public func release(_ bytes: Int) {
        used.subtract(bytes, ordering: .relaxed)
    }

    /// Whether requests that arrived fast are using the reserve: time to shed the slow ones.
    public var isReserveInUse: Bool {
        inUse > limit - reserve
    }

    /// Publishes, for the loop `owner`, when the newest of its starved requests began.
    func reportStarved(_ requests: StarvedRequests, for owner: ObjectIdentifier) {
        starved.withLock { $0[owner] = requests }
    }

    /// When the newest requests starved of budget on any loop began; holders of older requests make room for them.
    var newestStarvedRequests: StarvedRequests {
        starved.withLock { loops in
            StarvedRequests(
                newestLongStarved: loops.values.compactMap(\.newestLongStarved).max(),
                newestOnUsedConnection: loops.values.compactMap(\.newestOnUsedConnection).max(),
                newestLongStarvedOnUsedConnection: loops.values.compactMap(\.newestLongStarvedOnUsedConnection).max())
        }
    }

    /// Registers `wake`, which arms the budget watch of the loop `owner`.
    func addWatcher(_ owner: ObjectIdentifier, wake: @escaping @Sendable () -> Void) {
        watchers.withLock { $0[owner] = wake }
    }

    /// Forgets the loop `owner`: its watch and its starved requests.
    func removeWatcher(_ owner: ObjectIdentifier) {
        watchers.withLock { $0[owner] = nil }
        starved.withLock { $0[owner] = nil }
    }

    /// A read was refused: the first refusal since a loop's watch last went idle arms every loop's watch
    /// (a request starved on one loop may need holders on another shed).
    func wakeWatchers() {
        guard !watchersWoken.exchange(true, ordering: .sequentiallyConsistent) else { return }
        for wake in watchers.withLock({ Array($0.values) }) {
            wake()
        }
    }

    /// A loop's watch goes idle: the next refused read wakes the watches again.
    func watcherWentIdle() {
        watchersWoken.store(false, ordering: .sequentiallyConsistent)
    }

    /// Counts one connection shed to free budget.
    func recordShed() {
        sheds.add(1, ordering: .relaxed)
    }
}

/// When the newest requests waiting for budget (starved) began (monotonic nanoseconds): of those that have
/// waited for `MemoryBudget.staleAfter` (long starved), of those on connections that have delivered a whole
/// request before, and of the long-starved ones on such connections. Nil: none.
struct StarvedRequests: Sendable {
    var newestLongStarved: UInt64?
    var newestOnUsedConnection: UInt64?
    var newestLongStarvedOnUsedConnection: UInt64?

    /// Whether `connection`'s request may be shed to make room. One on a connection that has delivered a
    /// request before: when it is older than the newest request on such a connection that has starved for
    /// a long while (a connection that never delivered one cannot displace it, and a large review still
    /// arriving is not shed for the small ones waiting a moment behind it). Any other: whenever a request on
    /// such a connection starves (the API server's connections go first), else when it is older than the
    /// newest long-starved request (a new connection's request that waits a second displaces older ones;
    /// attackers held back meanwhile cost nothing, and each one shed would reconnect).
    func mayShed(_ connection: HTTPConnection) -> Bool {
        guard let start = connection.holdingSince else { return false }
        if connection.requestsReceived > 0 { return newestLongStarvedOnUsedConnection.map { start < $0 } ?? false }
        if newestOnUsedConnection != nil { return true }
        return newestLongStarved.map { start < $0 } ?? false
    }
}
