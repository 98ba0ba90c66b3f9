import CRabbitMQ
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The body of a connection's thread: connect, run commands, read frames, reconnect. Never leaves its thread.
final class ConnectionLoop {
    private unowned let connection: AMQPConnection
    private let consumer: AMQPConnection.ConsumerSpecification?
    private var topology: Topology
    private var logger: Logger

    private var raw: RawConnection?
    /// Bumped on every successful connection; delivery tags are only valid within one generation.
    private var generation: UInt64 = 0
    private var backlog: [Command] = []
    private var backoffMilliseconds = 100
    /// Which node of the configuration's list to try next; failed nodes are skipped at once, a full round backs off.
    private var endpointIndex = 0
    private var failedInARow = 0

    private enum ConsumerState { case idle, consuming(tag: String), cancelling, cancelled }
    private var consumerState = ConsumerState.idle
    /// Not before this instant is the consumer subscribed (see ``AMQPConnection/ConsumerSpecification/subscribeAfter``).
    private lazy var subscribeAt = ContinuousClock.now + (consumer?.subscribeAfter ?? .zero)

    /// Publishes awaiting confirmation, in delivery-tag order; a nil ticket was confirmed out of order.
    private var unconfirmed: [(tag: UInt64, ticket: PublishTicket?)] = []
    private var unconfirmedHead = 0
    private var nextPublishTag: UInt64 = 1
    /// Deliveries read this round, handed to the buffer together.
    private var arrived: [Delivery] = []
    private var content: IncomingContent?
    /// Exchange, routing key, content type and type repeat from message to message: decode each once.
    private var recentStrings = RecentStrings()

    private struct IncomingContent {
        var deliveryTag: UInt64
        var exchange: String
        var routingKey: String
        var redelivered: Bool
        var isDelivery: Bool
        var properties = MessageProperties()
        var expectedSize = 0
        var body: [UInt8] = []
    }

    init(
        connection: AMQPConnection, topology: Topology, consumer: AMQPConnection.ConsumerSpecification?, logger: Logger
    ) {
        self.connection = connection
        self.topology = topology
        self.consumer = consumer
        self.logger = logger
    }

    func run() {
        while !connection.isCloseRequested {
            if raw == nil {
                connect()
            } else {
                do {
                    try runOnce()
                } catch {
                    connectionLost(error)
                }
            }
        }
        closeGracefully()
        connection.threadFinished()
    }

    // MARK: Connecting

    private func connect() {
        do {
            let endpoints = connection.configuration.endpoints
            let endpoint = endpoints[endpointIndex % max(1, endpoints.count)]
            let raw = try RawConnection(configuration: endpoints.isEmpty ? connection.configuration : connection.configuration.at(endpoint))
            try raw.declare(topology)
            generation += 1
            nextPublishTag = 1
            if let consumer, case .idle = consumerState, ContinuousClock.now >= subscribeAt {
                consumerState = .consuming(tag: try raw.consume(queue: consumer.queue, prefetch: consumer.prefetch))
            }
            self.raw = raw
            backoffMilliseconds = 100
            failedInARow = 0
            connection.setGeneration(generation)
            connection.setConnected(true)
            logger.info(
                "Connected to the broker",
                metadata: [
                    "amqp.host": .string("\(endpoint.host):\(endpoint.port)"), "amqp.vhost": .string(connection.configuration.virtualHost),
                    "amqp.generation": .stringConvertible(generation),
                ])
        } catch {
            // The next node at once; after a whole round of refusals, wait.
            endpointIndex += 1
            failedInARow += 1
            guard failedInARow % max(1, connection.configuration.endpoints.count) == 0 else { return }
            logger.warning(
                "Cannot connect to the broker; retrying",
                metadata: ["error": .string("\(error)"), "retry.milliseconds": .stringConvertible(backoffMilliseconds)])
            waitWhileDisconnected(milliseconds: backoffMilliseconds)
            backoffMilliseconds = min(backoffMilliseconds * 2, 5000)
        }
    }

    /// Sleeps out a backoff, still answering the commands that make sense without a connection.
    private func waitWhileDisconnected(milliseconds: Int) {
        var descriptor = pollfd(fd: connection.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(milliseconds))
        connection.mailbox.clearWakeSignal()
        for command in connection.mailbox.takeAll() {
            switch command {
            case .publish, .declare:
                backlog.append(command)
            case .ack, .nack:
                break  // tags of a dead connection: the broker redelivers those messages
            case .release:
                break  // dropped with the commands, on this thread
            case .cancelConsuming:
                finishConsuming()
            }
        }
    }

    private func connectionLost(_ error: any Error) {
        logger.warning("Lost the broker connection; reconnecting", metadata: ["error": .string("\(error)")])
        raw?.abandon()
        raw = nil
        connection.setConnected(false)
        let lost = AMQPError(.connectionLost, "the connection to the broker was lost before confirmation", underlying: error)
        failUnconfirmed(lost)
        content = nil
        arrived.removeAll()
        connection.deliveries.discard(olderThan: generation + 1)
        switch consumerState {
        case .cancelling: finishConsuming()
        case .consuming: consumerState = .idle
        case .idle, .cancelled: break
        }
    }

    private func closeGracefully() {
        // Commands sent before close (the last batch's acknowledgement above all) still go out, and confirms come in.
        let deadline = monotonicMilliseconds() + 5000
        var firstRound = true
        while raw != nil, firstRound || unconfirmedHead < unconfirmed.count, monotonicMilliseconds() < deadline {
            firstRound = false
            do {
                try runOnce()
            } catch {
                connectionLost(error)
            }
        }
        failUnconfirmed(AMQPError(.closed, "the connection was closed before the broker confirmed"))
        for case .publish(_, let ticket) in backlog + connection.mailbox.takeAll() {
            ticket.fail(AMQPError(.closed, "the connection is closed"))
        }
        for case .declare(_, let continuation) in backlog {
            continuation.resume(throwing: AMQPError(.closed, "the connection is closed"))
        }
        raw?.close()
        raw = nil
        connection.setConnected(false)
        connection.deliveries.finish()
    }

    // MARK: One round

    /// Runs waiting commands, reads what has arrived, and sleeps in `poll` when there was nothing to do.
    private func runOnce() throws(AMQPError) {
        guard let raw else { return }
        if let consumer, case .idle = consumerState, ContinuousClock.now >= subscribeAt {
            consumerState = .consuming(tag: try raw.consume(queue: consumer.queue, prefetch: consumer.prefetch))
        }
        var commands = connection.mailbox.takeAll()
        if !backlog.isEmpty {
            commands = backlog + commands
            backlog.removeAll()
        }
        for (index, command) in commands.enumerated() {
            do {
                try execute(command, on: raw)
            } catch {
                // The connection is gone: what was not sent yet waits for the next one (or fails on close), never dropped.
                backlog = Array(commands[(index + 1)...]) + backlog
                throw error
            }
        }

        var frames = 0
        while frames < 8192, let frame = try raw.nextFrame(timeoutMilliseconds: 0) {
            try handle(frame, on: raw)
            frames += 1
        }
        raw.releaseBuffers()
        handOverArrived()
        guard commands.isEmpty, frames == 0, !raw.hasBufferedInput else { return }

        var descriptors = [
            pollfd(fd: raw.socketDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: connection.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        // TLS may hold decrypted bytes that poll cannot see; heartbeats need a visit at least every few hundred ms.
        let timeout: Int32 = connection.configuration.tls == nil ? 250 : 10
        _ = poll(&descriptors, 2, timeout)
        if descriptors[1].revents != 0 { connection.mailbox.clearWakeSignal() }
    }

    private func execute(_ command: Command, on raw: RawConnection) throws(AMQPError) {
        switch command {
        case .publish(let messages, let ticket):
            for message in messages {
                do {
                    try raw.publish(message)
                } catch {
                    ticket.fail(error)
                    throw error
                }
                unconfirmed.append((nextPublishTag, ticket))
                nextPublishTag += 1
            }
        case .declare(let extra, let continuation):
            do {
                try raw.declare(extra)
                topology = topology.merging(extra)
                continuation.resume()
            } catch {
                continuation.resume(throwing: error)
                throw error  // a refused declaration closes the channel
            }
        case .ack(let tag, let ackGeneration):
            guard ackGeneration == generation else { return }
            try raw.ack(upTo: tag, multiple: true)
        case .nack(let tag, let nackGeneration, let requeue, let multiple):
            guard nackGeneration == generation else { return }
            try raw.nack(upTo: tag, multiple: multiple, requeue: requeue)
        case .release:
            break  // dropped with the commands, on this thread
        case .cancelConsuming:
            if case .consuming(let tag) = consumerState {
                try raw.cancel(consumerTag: tag)
                consumerState = .cancelling
            } else {
                finishConsuming()
            }
        }
    }

    private func finishConsuming() {
        consumerState = .cancelled
        handOverArrived()  // deliveries that came before cancel-ok are the consumer's to finish
        connection.deliveries.finish()
    }

    private func handOverArrived() {
        guard !arrived.isEmpty else { return }
        connection.deliveries.append(arrived)
        arrived = []
    }

    // MARK: Frames

    private func handle(_ frame: amqp_frame_t, on raw: RawConnection) throws(AMQPError) {
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            try handleMethod(frame.payload.method, channel: frame.channel, on: raw)
        case AMQP_FRAME_HEADER:
            guard content != nil, let decoded = frame.payload.properties.decoded else { return }
            let expectedSize = Int(frame.payload.properties.body_size)
            // Filled in place: copying the content out and back would retain and release each of its fields.
            content!.properties = CDecode.properties(decoded.assumingMemoryBound(to: amqp_basic_properties_t.self), strings: &recentStrings)
            content!.expectedSize = expectedSize
            content!.body.reserveCapacity(expectedSize)
            if expectedSize == 0 { completeContent() }
        case AMQP_FRAME_BODY:
            guard content != nil else { return }
            let fragment = frame.payload.body_fragment
            if fragment.len > 0, let bytes = fragment.bytes {
                content!.body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: fragment.len))
            }
            if content!.body.count >= content!.expectedSize { completeContent() }
        default:
            break  // heartbeats are handled inside rabbitmq-c
        }
    }

    private func handleMethod(_ method: amqp_method_t, channel: amqp_channel_t, on raw: RawConnection) throws(AMQPError) {
        switch method.id {
        case TRASTIENDA_BASIC_DELIVER:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            content = IncomingContent(
                deliveryTag: deliver.delivery_tag, exchange: recentStrings.string(deliver.exchange),
                routingKey: recentStrings.string(deliver.routing_key), redelivered: deliver.redelivered != 0, isDelivery: true)
        case TRASTIENDA_BASIC_ACK:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            confirm(upTo: ack.delivery_tag, multiple: ack.multiple != 0, acknowledged: true)
        case TRASTIENDA_BASIC_NACK:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            confirm(upTo: nack.delivery_tag, multiple: nack.multiple != 0, acknowledged: false)
        case TRASTIENDA_BASIC_RETURN:
            content = IncomingContent(deliveryTag: 0, exchange: "", routingKey: "", redelivered: false, isDelivery: false)
        case TRASTIENDA_BASIC_CANCEL_OK:
            finishConsuming()
        case TRASTIENDA_BASIC_CANCEL:
            throw AMQPError(.brokerClosed, "the broker cancelled the consumer (was the queue deleted?)")
        case TRASTIENDA_CHANNEL_CLOSE, TRASTIENDA_CONNECTION_CLOSE:
            let text = RawConnection.serverCloseText(method)
            raw.acknowledgeClose(method: method.id)
            throw AMQPError(.brokerClosed, "the broker closed the \(channel == 0 ? "connection" : "channel"): \(text)")
        case TRASTIENDA_CONNECTION_BLOCKED:
            logger.warning("The broker blocked publishing (resource alarm)")
        case TRASTIENDA_CONNECTION_UNBLOCKED:
            logger.info("The broker unblocked publishing")
        default:
            break
        }
    }

    private func completeContent() {
        // Taken, not copied: a copy would retain each of its strings, and clearing `content` release them again.
        guard let incoming = content.take(), incoming.isDelivery else { return }
        arrived.append(
            Delivery(
                deliveryTag: incoming.deliveryTag, connectionGeneration: generation, exchange: incoming.exchange,
                routingKey: incoming.routingKey, redelivered: incoming.redelivered, body: incoming.body,
                properties: incoming.properties))
    }

    // MARK: Confirms

    private func confirm(upTo tag: UInt64, multiple: Bool, acknowledged: Bool) {
        if multiple {
            while unconfirmedHead < unconfirmed.count, unconfirmed[unconfirmedHead].tag <= tag {
                unconfirmed[unconfirmedHead].ticket?.confirm(acknowledged: acknowledged)
                unconfirmedHead += 1
            }
        } else if unconfirmedHead < unconfirmed.count, unconfirmed[unconfirmedHead].tag == tag {
            unconfirmed[unconfirmedHead].ticket?.confirm(acknowledged: acknowledged)
            unconfirmedHead += 1
        } else if let index = unconfirmed[unconfirmedHead...].firstIndex(where: { $0.tag == tag }) {
            unconfirmed[index].ticket?.confirm(acknowledged: acknowledged)
            unconfirmed[index].ticket = nil
        }
        while unconfirmedHead < unconfirmed.count, unconfirmed[unconfirmedHead].ticket == nil { unconfirmedHead += 1 }
        if unconfirmedHead == unconfirmed.count {
            unconfirmed.removeAll(keepingCapacity: true)
            unconfirmedHead = 0
        } else if unconfirmedHead > 8192 {
            unconfirmed.removeFirst(unconfirmedHead)
            unconfirmedHead = 0
        }
    }

    private func failUnconfirmed(_ error: AMQPError) {
        for entry in unconfirmed[unconfirmedHead...] { entry.ticket?.fail(error) }
        unconfirmed.removeAll()
        unconfirmedHead = 0
    }
}

func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}
