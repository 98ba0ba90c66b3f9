/// Everything a connection's thread knows besides its socket, and every decision it takes: which phase the connection
/// is in, what waits to be sent, what waits for the broker's confirm, which delivery tags still mean something, and
/// where the consumer's subscription stands.
///
/// The thread (``ConnectionLoop``) does the I/O and reports each event here (a connection made or refused, lost,
/// commands taken from the mailbox, confirms, a close asked for); the machine answers with what to do next
/// (``nextAction(now:closeRequested:)``, ``step(for:)``). Its phases:
///
/// - `connecting`: about to try the next node. Commands wait in the mailbox.
/// - `open(generation)`: a connection is up. Commands run in order; a publish's messages take the channel's next
///   delivery tags and wait for confirms; acknowledgements of deliveries from an older generation are dropped (the
///   broker redelivers those messages).
/// - `reconnecting(until:)`: a whole round of nodes refused; waiting out the backoff (100 ms doubling to 5 s).
///   Publishes and declarations asked for meanwhile wait for the next connection; acknowledgements are dropped.
/// - `closing(deadline:connected:)`: close was asked for with a connection up: what was asked before still goes out
///   (a last acknowledgement above all) and confirms come in, for up to 5 s.
/// - `closed`: every publish and declaration not confirmed has failed with ``AMQPError/Code/closed``.
///
/// A lost connection fails every unconfirmed publish with ``AMQPError/Code/connectionLost`` (some of their messages
/// may have been routed: callers publish again, consumers are idempotent) and goes back to `connecting`. A publish
/// whose caller gave up (its task cancelled) before it was sent is not sent. An event that cannot happen in the
/// phase the machine is in stops the process: it means the thread's logic is wrong, not the network.
struct ConnectionStateMachine {
    enum Phase: Equatable {
        case connecting
        case open(generation: UInt64)
        case reconnecting(until: Int)
        case closing(deadline: Int, connected: Bool)
        case closed
    }

    /// The consumer's subscription, for a connection that consumes.
    enum Subscription: Equatable {
        /// Not subscribed on this connection (yet).
        case idle
        case consuming(tag: String)
        /// `basic.cancel` sent; deliveries may still arrive until `basic.cancel-ok`.
        case cancelling
        /// For good: no delivery comes any more.
        case cancelled
    }

    /// What the thread does next.
    enum Action: Equatable {
        /// Open a connection to the configuration's node `endpoint` (an index into its list, taken modulo its length).
        case connect(endpoint: Int)
        /// Sleep in `poll` on the mailbox for up to this long, then hand what it holds to ``receivedWhileDisconnected(_:)``.
        case waitForBackoff(milliseconds: Int)
        /// One round: the mailbox's commands, the frames that arrived, then `poll` if there was nothing to do.
        case serve
        /// A round while closing.
        case drain
        /// Close the socket (if one is open) and then report ``closed(leftover:)``.
        case close
        /// Leave the thread.
        case finish
    }

    /// What to send, on the connection that is up, for one command.
    enum Step {
        case publish([OutgoingMessage], PublishTicket)
        case declare(Topology, Completion)
        case ack(upTo: UInt64)
        case nack(upTo: UInt64, requeue: Bool, multiple: Bool)
        case cancelConsumer(tag: String)
        /// Nothing to send: the consumer is finished (deliveries that came before are the consumer's to finish).
        case finishConsuming
    }

    /// What losing the connection leaves for the thread to do.
    struct Loss: Equatable {
        /// Deliveries of generations before this one can no longer be acknowledged: drop those not handed out yet.
        var staleBefore: UInt64
        /// The consumer was cancelling: it is finished now.
        var finishConsuming: Bool
    }

    static let firstBackoffMilliseconds = 100
    static let longestBackoffMilliseconds = 5000
    static let closeTimeoutMilliseconds = 5000

    private(set) var phase = Phase.connecting
    /// nil for a connection that only publishes.
    private(set) var subscription: Subscription?
    /// Bumped on every connection made; delivery tags are only valid within one generation.
    private(set) var generation: UInt64 = 0
    private(set) var backoffMilliseconds = Self.firstBackoffMilliseconds
    /// Commands taken while no connection was up (or left unsent when one broke), oldest first.
    private var backlog: [Command] = []
    private var unconfirmed = UnconfirmedPublishes()
    private let endpointCount: Int
    private var endpointIndex = 0
    private var failedInARow = 0
    /// The consumer subscribes only from this instant on (``AMQPConnection/ConsumerSpecification/subscribeAfter``).
    private let subscribeAt: Int

    /// - Parameters:
    ///   - endpointCount: how many nodes the configuration lists (one round of refusals backs off).
    ///   - consumes: whether the connection subscribes to a queue.
    ///   - subscribeAt: the monotonic millisecond from which it may.
    init(endpointCount: Int, consumes: Bool, subscribeAt: Int = 0) {
        self.endpointCount = max(1, endpointCount)
        self.subscription = consumes ? .idle : nil
        self.subscribeAt = subscribeAt
    }

    var unconfirmedCount: Int { unconfirmed.count }
    var waitingCommands: Int { backlog.count }

    // MARK: What next

    mutating func nextAction(now: Int, closeRequested: Bool) -> Action {
        switch phase {
        case .connecting:
            return closeRequested ? .close : .connect(endpoint: endpointIndex % endpointCount)
        case .reconnecting(let until):
            if closeRequested { return .close }
            guard now >= until else { return .waitForBackoff(milliseconds: until - now) }
            phase = .connecting
            return .connect(endpoint: endpointIndex % endpointCount)
        case .open:
            guard closeRequested else { return .serve }
            phase = .closing(deadline: now + Self.closeTimeoutMilliseconds, connected: true)
            return .drain
        case .closing(let deadline, let connected):
            // At least one round: commands asked for before close go out; then until every publish is confirmed.
            guard connected, now < deadline, !unconfirmed.isEmpty else { return .close }
            return .drain
        case .closed:
            return .finish
        }
    }

    // MARK: Connecting

    /// Whether to subscribe on the connection being opened (the consumer is idle and its time has come).
    func subscribesOnConnect(now: Int) -> Bool {
        subscription == .idle && now >= subscribeAt
    }

    /// A connection is up (subscribed already if `consumerTag` is given); returns its generation.
    mutating func connected(consumerTag: String? = nil) -> UInt64 {
        guard case .connecting = phase else { preconditionFailure("connected while \(phase)") }
        generation += 1
        unconfirmed.restart()
        if let consumerTag {
            precondition(subscription == .idle, "subscribed while the consumer is \(String(describing: subscription))")
            subscription = .consuming(tag: consumerTag)
        }
        phase = .open(generation: generation)
        backoffMilliseconds = Self.firstBackoffMilliseconds
        failedInARow = 0
        return generation
    }

    /// The node tried refused (or the connection failed before it was up). Returns the backoff now waited, or nil
    /// when the next node is tried at once (only a whole round of refusals waits).
    mutating func connectFailed(now: Int) -> Int? {
        guard case .connecting = phase else { preconditionFailure("connection refused while \(phase)") }
        endpointIndex += 1
        failedInARow += 1
        guard failedInARow % endpointCount == 0 else { return nil }
        let waited = backoffMilliseconds
        phase = .reconnecting(until: now + waited)
        backoffMilliseconds = min(backoffMilliseconds * 2, Self.longestBackoffMilliseconds)
        return waited
    }

    /// Commands taken from the mailbox while no connection is up. Returns whether the consumer is finished now.
    mutating func receivedWhileDisconnected(_ commands: [Command]) -> Bool {
        switch phase {
        case .connecting, .reconnecting: break
        default: preconditionFailure("commands taken as if disconnected while \(phase)")
        }
        var finishConsuming = false
        for command in commands {
            switch command {
            case .publish(_, let ticket):
                if !ticket.isSettled { backlog.append(command) }
            case .declare:
                backlog.append(command)
            case .ack, .nack:
                break  // tags of a dead connection: the broker redelivers those messages
            case .release:
                break  // dropped with the commands, on this thread
            case .cancelConsuming:
                finishConsuming = finishSubscription() || finishConsuming
            }
        }
        return finishConsuming
    }

    // MARK: Open

    /// The consumer may subscribe now, on the connection that is up.
    func subscribes(now: Int) -> Bool {
        guard case .open = phase else { return false }
        return subscribesOnConnect(now: now)
    }

    mutating func subscribed(tag: String) {
        guard case .open = phase, subscription == .idle else {
            preconditionFailure("subscribed while \(phase), consumer \(String(describing: subscription))")
        }
        subscription = .consuming(tag: tag)
    }

    /// This round's commands: what waited for a connection first, then `taken` from the mailbox, in order.
    mutating func commands(taking taken: [Command]) -> [Command] {
        requireConnection("commands run")
        guard !backlog.isEmpty else { return taken }
        defer { backlog.removeAll() }
        return backlog + taken
    }

    /// What to send for `command` on the connection that is up; nil when nothing (an acknowledgement of an older
    /// generation's delivery, a publish whose caller gave up, deliveries to drop).
    mutating func step(for command: Command) -> Step? {
        requireConnection("a command run")
        switch command {
        case .publish(let messages, let ticket):
            return ticket.isSettled ? nil : .publish(messages, ticket)
        case .declare(let topology, let completion):
            return .declare(topology, completion)
        case .ack(let tag, let ackGeneration):
            return ackGeneration == generation ? .ack(upTo: tag) : nil
        case .nack(let tag, let nackGeneration, let requeue, let multiple):
            return nackGeneration == generation ? .nack(upTo: tag, requeue: requeue, multiple: multiple) : nil
        case .release:
            return nil  // dropped with the commands, on this thread
        case .cancelConsuming:
            if case .consuming(let tag) = subscription {
                subscription = .cancelling
                return .cancelConsumer(tag: tag)
            }
            return finishSubscription() ? .finishConsuming : nil
        }
    }

    /// The connection broke before `commands` were sent: they wait for the next one, ahead of anything newer.
    mutating func unsent(_ commands: ArraySlice<Command>) {
        requireConnection("commands left unsent")
        backlog = Array(commands) + backlog
    }

    /// One message of `ticket` went out and waits for its confirm.
    mutating func sent(_ ticket: PublishTicket) {
        requireConnection("a message sent")
        unconfirmed.sent(ticket)
    }

    /// `basic.ack` or `basic.nack` from the broker.
    mutating func confirmed(upTo tag: UInt64, multiple: Bool, acknowledged: Bool) {
        requireConnection("a confirm")
        unconfirmed.confirm(upTo: tag, multiple: multiple, acknowledged: acknowledged)
    }

    /// `basic.cancel-ok`: no delivery comes any more.
    mutating func consumerCancelled() {
        subscription = .cancelled
    }

    /// The connection that was up broke (the socket, the broker closing it, a command refused).
    mutating func connectionLost(_ error: any Error) -> Loss {
        let loss = Loss(staleBefore: generation + 1, finishConsuming: subscription == .cancelling)
        switch phase {
        case .open:
            phase = .connecting
        case .closing(let deadline, true):
            phase = .closing(deadline: deadline, connected: false)
        default:
            preconditionFailure("connection lost while \(phase)")
        }
        unconfirmed.failAll(AMQPError(.connectionLost, "the connection to the broker was lost before confirmation", underlying: error))
        switch subscription {
        case .cancelling: subscription = .cancelled
        case .consuming: subscription = .idle
        case .idle, .cancelled, nil: break
        }
        return loss
    }

    // MARK: Closing

    /// The socket is closed (or there was none): every publish and declaration still waiting fails, with those
    /// `leftover` in the mailbox.
    mutating func closed(leftover: [Command]) {
        switch phase {
        case .connecting, .reconnecting, .closing: break
        default: preconditionFailure("closed while \(phase)")
        }
        phase = .closed
        unconfirmed.failAll(AMQPError(.closed, "the connection was closed before the broker confirmed"))
        for command in backlog + leftover {
            switch command {
            case .publish(_, let ticket): ticket.fail(AMQPError(.closed, "the connection is closed"))
            case .declare(_, let completion): completion(.failure(AMQPError(.closed, "the connection is closed")))
            case .ack, .nack, .release, .cancelConsuming: break
            }
        }
        backlog.removeAll()
        if subscription != nil { subscription = .cancelled }
    }

    // MARK: Helpers

    /// Finishes a subscription that has nothing to cancel on the broker; returns whether it was not finished yet.
    private mutating func finishSubscription() -> Bool {
        guard let subscription, subscription != .cancelled else { return false }
        self.subscription = .cancelled
        return true
    }

    private func requireConnection(_ event: String) {
        switch phase {
        case .open, .closing(_, true): return
        default: preconditionFailure("\(event) while \(phase)")
        }
    }
}
