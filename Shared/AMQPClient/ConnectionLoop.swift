import CRabbitMQ
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The body of a connection's thread: the I/O that ``ConnectionStateMachine`` decides on (connect, run commands,
/// read frames, sleep, close). Never leaves its thread.
final class ConnectionLoop {
    private unowned let connection: AMQPConnection
    private let consumer: AMQPConnection.ConsumerSpecification?
    private var topology: Topology
    private var logger: Logger
    private var state: ConnectionStateMachine
    private var raw: RawConnection?

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
        state = ConnectionStateMachine(
            endpointCount: connection.configuration.endpoints.count, consumes: consumer != nil,
            subscribeAt: monotonicMilliseconds() + Int((consumer?.subscribeAfter ?? .zero).wholeMilliseconds))
    }

    func run() {
        while true {
            switch state.nextAction(now: monotonicMilliseconds(), closeRequested: connection.isCloseRequested) {
            case .connect(let endpoint):
                connect(to: endpoint)
            case .waitForBackoff(let milliseconds):
                waitWhileDisconnected(milliseconds: milliseconds)
            case .serve, .drain:
                do {
                    try runOnce()
                } catch {
                    connectionLost(error)
                }
            case .close:
                close()
            case .finish:
                connection.threadFinished()
                return
            }
        }
    }

    // MARK: Connecting

    private func connect(to endpointIndex: Int) {
        let endpoints = connection.configuration.endpoints
        let endpoint = endpoints.isEmpty ? nil : endpoints[endpointIndex]
        let host = endpoint.map { "\($0.host):\($0.port)" } ?? "\(connection.configuration.host):\(connection.configuration.port)"
        do {
            let raw = try RawConnection(
                configuration: endpoint.map { connection.configuration.at($0) } ?? connection.configuration,
                isAbandoned: { [connection] in connection.isCloseRequested })
            try raw.declare(topology)
            var consumerTag: String?
            if let consumer, state.subscribesOnConnect(now: monotonicMilliseconds()) {
                consumerTag = try raw.consume(queue: consumer.queue, prefetch: consumer.prefetch)
            }
            let generation = state.connected(consumerTag: consumerTag)
            self.raw = raw
            connection.setGeneration(generation)
            connection.setConnected(true)
            logger.info(
                "Connected to the broker",
                metadata: [
                    "amqp.host": .string(host), "amqp.vhost": .string(connection.configuration.virtualHost),
                    "amqp.generation": .stringConvertible(generation),
                ])
        } catch {
            // The next node at once; after a whole round of refusals, wait.
            guard let backoff = state.connectFailed(now: monotonicMilliseconds()), !connection.isCloseRequested else { return }
            logger.warning(
                "Cannot connect to the broker; retrying",
                metadata: ["error": .string("\(error)"), "retry.milliseconds": .stringConvertible(backoff)])
        }
    }

    /// Sleeps out (part of) a backoff, still taking the commands that arrive meanwhile.
    private func waitWhileDisconnected(milliseconds: Int) {
        var descriptor = pollfd(fd: connection.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(clamping: milliseconds))
        connection.mailbox.clearWakeSignal()
        if state.receivedWhileDisconnected(connection.mailbox.takeAll()) {
            finishConsuming()
        }
    }

    private func connectionLost(_ error: any Error) {
        logger.warning("Lost the broker connection; reconnecting", metadata: ["error": .string("\(error)")])
        raw?.abandon()
        raw = nil
        connection.setConnected(false)
        let loss = state.connectionLost(error)
        content = nil
        arrived.removeAll()
        connection.deliveries.discard(olderThan: loss.staleBefore)
        if loss.finishConsuming { finishConsuming() }
    }

    private func close() {
        raw?.close()
        raw = nil
        connection.setConnected(false)
        state.closed(leftover: connection.mailbox.takeAll())
        connection.deliveries.finish()
    }

    // MARK: One round

    /// Runs waiting commands, reads what has arrived, and sleeps in `poll` when there was nothing to do.
    private func runOnce() throws(AMQPError) {
        guard let raw else { return }
        if let consumer, state.subscribes(now: monotonicMilliseconds()) {
            state.subscribed(tag: try raw.consume(queue: consumer.queue, prefetch: consumer.prefetch))
        }
        let commands = state.commands(taking: connection.mailbox.takeAll())
        for (index, command) in commands.enumerated() {
            guard let step = state.step(for: command) else { continue }
            do {
                try execute(step, on: raw)
            } catch {
                // The connection is gone: what was not sent yet waits for the next one (or fails on close), never dropped.
                state.unsent(commands[(index + 1)...])
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

    private func execute(_ step: ConnectionStateMachine.Step, on raw: RawConnection) throws(AMQPError) {
        switch step {
        case .publish(let messages, let ticket):
            for message in messages {
                do {
                    try raw.publish(message)
                } catch {
                    ticket.fail(error)
                    throw error
                }
                state.sent(ticket)
            }
        case .declare(let extra, let completion):
            do {
                try raw.declare(extra)
                topology = topology.merging(extra)
                completion(.success(()))
            } catch {
                completion(.failure(error))
                throw error  // a refused declaration closes the channel
            }
        case .ack(let tag):
            try raw.ack(upTo: tag, multiple: true)
        case .nack(let tag, let requeue, let multiple):
            try raw.nack(upTo: tag, multiple: multiple, requeue: requeue)
        case .cancelConsumer(let tag):
            try raw.cancel(consumerTag: tag)
        case .finishConsuming:
            finishConsuming()
        }
    }

    private func finishConsuming() {
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
            state.confirmed(upTo: ack.delivery_tag, multiple: ack.multiple != 0, acknowledged: true)
        case TRASTIENDA_BASIC_NACK:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            state.confirmed(upTo: nack.delivery_tag, multiple: nack.multiple != 0, acknowledged: false)
        case TRASTIENDA_BASIC_RETURN:
            content = IncomingContent(deliveryTag: 0, exchange: "", routingKey: "", redelivered: false, isDelivery: false)
        case TRASTIENDA_BASIC_CANCEL_OK:
            state.consumerCancelled()
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
                deliveryTag: incoming.deliveryTag, connectionGeneration: state.generation, exchange: incoming.exchange,
                routingKey: incoming.routingKey, redelivered: incoming.redelivered, body: incoming.body,
                properties: incoming.properties))
    }
}

func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}
