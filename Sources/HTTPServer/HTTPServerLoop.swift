import EventLoop
import Logging
import TLSEngine

/// One loop's share of a server: its `SO_REUSEPORT` listener and acceptor, and the connections it accepted.
/// Lives on its loop; every method runs on the loop thread.
final class HTTPServerLoop {
    let loop: EventLoop
    let environment: HTTPServerEnvironment
    private var acceptor: Acceptor?
    private var connections: [Int32: HTTPConnection] = [:]
    private var isShuttingDown = false
    /// Connections whose reading waits for memory budget.
    private var parked: [Int32: HTTPConnection] = [:]
    private var budgetWatch: TimerID?
    /// When this loop last shed an upload to admit a new connection (monotonic nanoseconds).
    private var lastShedForAccept: UInt64 = 0

    /// How often a loop resumes parked connections and sheds slow ones while the memory budget is under
    /// pressure (see `watchBudget`; idle otherwise).
    private static let budgetWatchInterval: Duration = .milliseconds(10)
    /// Connections shed per loop and watch tick at most (each sheds at least one read's worth).
    private static let maxShedsPerTick = 16
    /// How long a parked connection that has delivered a request before waits before older requests are
    /// shed to make room for it (any other waits the budget's `staleAfter`; see `StarvedRequests.mayShed`).
    private static let starvationDelay: Duration = .milliseconds(20)
    /// Room made per tick for starved requests (a megabyte of a large review per 10 ms).
    private static let starvationHeadroom = 1 << 20

    /// Reads of connections still in their TLS handshake per loop iteration at most (a ClientHello costs
    /// the key exchange and signature, about half a millisecond): the rest are reported again next
    /// iteration, so a burst of new connections delays the requests of established ones by a few
    /// handshakes at a time, not by the whole burst.
    private static let maxHandshakeReadsPerIteration = 4
    private var handshakeIteration: UInt64 = 0
    private var handshakeReads = 0

    init(loop: EventLoop, environment: HTTPServerEnvironment) {
        self.loop = loop
        self.environment = environment
    }

    /// Binds `port` (0: any) with `SO_REUSEPORT`, starts accepting and answers the bound port.
    func startAccepting(port: Int) throws -> Int {
        let listener = try ListeningSocket(host: environment.configuration.host, port: port)
        let acceptor = Acceptor(
            listener: listener, loop: loop,
            onError: { [environment] error in
                environment.logger.warning("accept failed", metadata: ["error": "\(error)"])
            },
            onAccept: { [unowned self] socket in accept(socket) })
        try acceptor.start()
        self.acceptor = acceptor
        if let budget = environment.memoryBudget {
            let bound = LoopBound(self, on: loop)
            budget.addWatcher(ObjectIdentifier(self)) { _ = bound.loop.execute { bound.value.armBudgetWatch() } }
        }
        return acceptor.port
    }

    /// Stops accepting and closes the listener; accepted connections carry on.
    func stopAccepting() {
        acceptor?.stop()
        acceptor = nil
    }

    /// Asks every connection to finish what it is doing and close (see `HTTPConnection.beginShutdown`).
    func beginShutdown() {
        isShuttingDown = true
        stopAccepting()
        for connection in Array(connections.values) {
            connection.beginShutdown()
        }
    }

    /// Closes every connection at once, and stops watching the memory budget.
    func closeAll() {
        for connection in Array(connections.values) {
            connection.close()
        }
        environment.memoryBudget?.removeWatcher(ObjectIdentifier(self))
    }

    /// Called by a connection once it has closed its socket.
    func connectionDidClose(_ connection: HTTPConnection) {
        connections[connection.fileDescriptor] = nil
        parked[connection.fileDescriptor] = nil
        environment.openConnections.wrappingSubtract(1, ordering: .relaxed)
        environment.observer?.connectionClosed()
    }

    private func accept(_ socket: Socket) {
        let open = environment.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        let context = environment.tlsContext.withLock { $0 }
        let estimate = HTTPConnection.plainConnectionEstimate + (context == nil ? 0 : HTTPConnection.tlsConnectionEstimate)
        // A new connection may only take budget outside the reserve: the reserve is for the reads of
        // connections already open (parked ones are resumed from it), which a stream of reconnecting
        // attackers would otherwise take first.
        guard open <= environment.configuration.maxConnections, !isShuttingDown, admitsNewConnection(estimate) else {
            environment.openConnections.wrappingSubtract(1, ordering: .relaxed)
            socket.close()
            environment.observer?.connectionRejected()
            return
        }
        let connection: HTTPConnection
        do {
            let tls = try context.map { try TLSConnection(context: $0) }
            connection = try HTTPConnection(socket: socket, tls: tls, owner: self)
            connection.charged = environment.memoryBudget == nil ? 0 : estimate
        } catch {
            environment.memoryBudget?.release(estimate)
            environment.openConnections.wrappingSubtract(1, ordering: .relaxed)
            environment.logger.warning("cannot set up connection", metadata: ["error": "\(error)"])
            socket.close()
            return
        }
        connections[connection.fileDescriptor] = connection
        environment.observer?.connectionOpened()
    }

    /// Whether the memory budget takes a new connection's `estimate` outside the reserve. When it cannot, the
    /// oldest upload on this loop's connections that never delivered a request, held back or slow for
    /// `staleAfter`, is shed to make room, at most once per `staleAfter` on this loop (other loops'
    /// connections cannot be touched from here). A connection refused here is closed at
    /// once, so unlike a request already reading it can never starve long enough for the starvation rule to
    /// make room for it (a new client's first review would be refused for as long as the uploads hold); the
    /// pacing keeps reconnecting attackers from rotating the holders, each shed costing a new handshake.
    private func admitsNewConnection(_ estimate: Int) -> Bool {
        guard let budget = environment.memoryBudget else { return true }
        if budget.tryCharge(estimate, outsideReserve: true) { return true }
        let now = loop.now()
        let wait = budget.staleAfter.clampedNanoseconds
        guard now &- lastShedForAccept >= wait,
              let victim = oldestHolder(where: {
                  $0.requestsReceived == 0 && ($0.isParked || $0.isStale) && now &- ($0.holdingSince ?? now) >= wait
              })
        else { return false }
        lastShedForAccept = now
        victim.shed()
        return budget.tryCharge(estimate, outsideReserve: true, countRefusal: false)
    }

    /// Whether a connection in its TLS handshake may read in this iteration (counted when it may).
    func mayReadHandshake() -> Bool {
        if handshakeIteration != loop.iteration {
            handshakeIteration = loop.iteration
            handshakeReads = 0
        }
        guard handshakeReads < Self.maxHandshakeReadsPerIteration else { return false }
        handshakeReads += 1
        return true
    }

    // MARK: - Memory budget

    /// Notes that `connection` stopped reading for want of budget; the budget is under pressure, so every
    /// loop watches it.
    func park(_ connection: HTTPConnection) {
        parked[connection.fileDescriptor] = connection
        armBudgetWatch()
        environment.memoryBudget?.wakeWatchers()
    }

    /// Notes that `connection` reads again (or closed).
    func unpark(_ connection: HTTPConnection) {
        parked[connection.fileDescriptor] = nil
    }

    /// Starts the budget watch unless it runs.
    func armBudgetWatch() {
        guard budgetWatch == nil, environment.memoryBudget != nil else { return }
        budgetWatch = loop.scheduleTimer(after: Self.budgetWatchInterval) { [weak self] in
            guard let self, let budget = environment.memoryBudget else { return }
            budgetWatch = nil
            watchBudget()
            if needsBudgetWatch(budget) {
                armBudgetWatch()
                return
            }
            // Going idle: from now on a refused read wakes the watches again. Checked once more after
            // that, for a refusal that came in between.
            budget.watcherWentIdle()
            if needsBudgetWatch(budget) { armBudgetWatch() }
        }
    }

    /// Whether the budget is under pressure for this loop: a connection waits for room, or a read outside
    /// the reserve would not fit (a starved request may need this loop's holders shed; the reserve may
    /// need its stale ones shed).
    private func needsBudgetWatch(_ budget: MemoryBudget) -> Bool {
        !parked.isEmpty || budget.inUse + HTTPConnection.readAllowance > budget.ceiling(outsideReserve: true)
    }

    /// One tick: while fast requests use the reserve, shed this loop's stale holders, longest-held first;
    /// while a request on any loop starves, shed older holders here (slow ones first, then parked ones; see
    /// `StarvedRequests.mayShed`) until `starvationHeadroom` is free below what it may use; then resume
    /// parked connections, the most recent request first, as far as the budget allows.
    ///
    /// Connections that have delivered a whole request before (a client such as kube-apiserver reusing its
    /// keep-alive connection) are shed only after those that have not, only for a starved request on such a
    /// connection, and resumed before the others: an attacker whose unfinished requests were shed
    /// reconnects with a newer request, and must not be able to shed, or take the room of, a legitimate
    /// large review that is still arriving.
    private func watchBudget() {
        guard let budget = environment.memoryBudget else { return }
        var sheds = 0
        while budget.isReserveInUse, sheds < Self.maxShedsPerTick,
              let victim = oldestHolder(where: { $0.isStale }) {
            victim.shed()
            sheds += 1
        }
        let starvedRequests = budget.newestStarvedRequests
        // Room below what the starved requests may use: a request on a connection that has delivered one
        // may read into the reserve, others may not.
        let starvedCeiling = budget.ceiling(outsideReserve: starvedRequests.newestOnUsedConnection == nil)
        while sheds < Self.maxShedsPerTick, starvedCeiling - budget.inUse < Self.starvationHeadroom,
              let victim = oldestHolder(where: { starvedRequests.mayShed($0) && $0.isStale })
                  ?? oldestHolder(where: { starvedRequests.mayShed($0) && $0.isParked }) {
            victim.shed()
            sheds += 1
        }
        if !parked.isEmpty {
            let waiting = parked.values.sorted { first, second in
                let (firstProven, secondProven) = (first.requestsReceived > 0, second.requestsReceived > 0)
                if firstProven != secondProven { return firstProven }
                return (first.holdingSince ?? .max) > (second.holdingSince ?? .max)
            }
            // In that order, until one that may use the reserve cannot resume; one held to the smaller
            // ceiling is passed over.
            for connection in waiting where !connection.resumeIfBudgetAllows() && connection.mayUseReserve {
                break
            }
        }
        let now = loop.now()
        let delay = Self.starvationDelay.clampedNanoseconds
        let starved = parked.values.filter { now &- $0.parkedAt >= delay }
        let longWait = budget.staleAfter.clampedNanoseconds
        let longStarved = starved.filter { now &- $0.parkedAt >= longWait }
        budget.reportStarved(StarvedRequests(
            newestLongStarved: longStarved.map { $0.holdingSince ?? now }.max(),
            newestOnUsedConnection: starved.filter { $0.requestsReceived > 0 }.map { $0.holdingSince ?? now }.max(),
            newestLongStarvedOnUsedConnection: longStarved.filter { $0.requestsReceived > 0 }
                .map { $0.holdingSince ?? now }.max()),
            for: ObjectIdentifier(self))
    }

    /// The connection holding budget for the oldest request among those `condition` accepts, preferring
    /// connections that have not delivered a whole request before.
    private func oldestHolder(where condition: (HTTPConnection) -> Bool) -> HTTPConnection? {
        var oldest: HTTPConnection?
        for connection in connections.values where connection.holdingSince != nil && condition(connection) {
            guard let current = oldest else {
                oldest = connection
                continue
            }
            let (candidateProven, currentProven) = (connection.requestsReceived > 0, current.requestsReceived > 0)
            if candidateProven != currentProven {
                if !candidateProven { oldest = connection }
            } else if connection.holdingSince! < current.holdingSince! {
                oldest = connection
            }
        }
        return oldest
    }
}
