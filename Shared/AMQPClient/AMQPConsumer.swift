import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// What a consumer does with a batch: the deliveries it refuses (they go to the dead-letter queue with their reason);
/// the rest are acknowledged together. Throwing a transient error (see ``HandlerFailure``) has the batch tried again
/// after a backoff; any other error has the consumer find the deliveries at fault by splitting the batch, handle the
/// rest, and park only those.
package typealias BatchHandler = @Sendable ([Delivery]) async throws -> [Rejection]

/// How a consumer takes its messages.
package struct ConsumerSettings: Sendable {
    package var queue: String
    /// Unacknowledged deliveries the broker may send ahead.
    package var prefetch: Int
    /// The most deliveries handed to the handler at once.
    package var batchSize: Int
    /// How long to wait for a batch to fill once its first delivery is in.
    package var batchWait: Duration
    /// Batches handled at the same time (for example, one validated while the previous one is written); they are
    /// still acknowledged in the order they arrived.
    package var concurrentBatches: Int
    /// Where refused messages are published, with the queue's name as routing key.
    package var deadLetterExchange: String
    /// After a transient failure, how long to wait before trying the batch again, doubled for each failure in a row
    /// up to `maximumFailureBackoff`. The batch stays with the consumer meanwhile: it spends none of the queue's
    /// delivery limit.
    package var failureBackoff: Duration
    package var maximumFailureBackoff: Duration = .seconds(5)
    /// Tells transient failures from failures caused by the messages.
    package var failureClassifier: FailureClassifier = HandlerFailure.classify
    /// Cuts a message that carries many items into one message per item, so that one item the handler cannot handle
    /// is parked alone (nil: messages are parked whole).
    package var messageSplitter: MessageSplitter?
    /// How long a message the handler asked to retry later waits in the retry queue before it comes back. It waits
    /// there, not in the consumer: the batches after it go on meanwhile.
    package var retryDelay: Duration
    /// How many times a message may come back this way before it is dead-lettered with its reason.
    package var retryLimit: Int
    /// How long to wait before subscribing (a standby for a single-active-consumer queue subscribes later, so that
    /// the replica meant for it becomes its active consumer).
    package var subscribeAfter: Duration = .zero

    package init(
        queue: String, prefetch: Int = 1000, batchSize: Int = 500, batchWait: Duration = .milliseconds(20),
        concurrentBatches: Int = 1, deadLetterExchange: String = Topology.deadLetterExchange.name,
        failureBackoff: Duration = .milliseconds(200), retryDelay: Duration = .seconds(1), retryLimit: Int = 10
    ) {
        self.failureBackoff = failureBackoff
        self.retryDelay = retryDelay
        self.retryLimit = retryLimit
        self.queue = queue
        self.prefetch = prefetch
        self.batchSize = batchSize
        self.batchWait = batchWait
        self.concurrentBatches = max(1, concurrentBatches)
        self.deadLetterExchange = deadLetterExchange
    }
}

/// Consumes one queue in batches on a connection of its own, as a long-running service.
///
/// Each batch goes to the handler; refused messages are published to the dead-letter exchange (body and properties
/// intact, plus `x-rejection-code` and `x-rejection-reason`) and confirmed, then the whole batch is acknowledged with
/// one multiple-ack. On graceful shutdown it stops the broker delivering, finishes the batches in flight, returns what
/// it holds beyond them to the queue, and closes.
package struct AMQPConsumer: Service {
    package let settings: ConsumerSettings
    package let connection: AMQPConnection
    private let handler: BatchHandler
    private let logger: Logger
    private let handledCounter: Counter
    private let rejectedCounter: Counter
    private let retriedCounter: Counter
    /// Tags for the parts of split messages, far above any tag the broker gives.
    private let partTags = PartTags()

    package init(
        configuration: AMQPConfiguration, settings: ConsumerSettings, topology: Topology = Topology(), logger: Logger,
        handler: @escaping BatchHandler
    ) {
        self.settings = settings
        self.handler = handler
        handledCounter = Counter(label: "amqp_messages_handled_total", dimensions: [("queue", settings.queue)])
        rejectedCounter = Counter(label: "amqp_messages_rejected_total", dimensions: [("queue", settings.queue)])
        retriedCounter = Counter(label: "amqp_batch_transient_failures_total", dimensions: [("queue", settings.queue)])
        var logger = logger
        logger[metadataKey: "amqp.queue"] = .string(settings.queue)
        self.logger = logger
        connection = AMQPConnection(
            configuration: configuration, topology: topology,
            consumer: .init(queue: settings.queue, prefetch: settings.prefetch, subscribeAfter: settings.subscribeAfter), logger: logger)
    }

    package var isConnected: Bool { connection.isConnected }

    package func run() async throws {
        await withGracefulShutdownHandler {
            await consumeUntilDrained()
        } onGracefulShutdown: {
            connection.cancelConsuming()
        }
        await connection.close()
    }

    private func consumeUntilDrained() async {
        let buffer = connection.deliveries
        let settler = BatchSettler(connection: connection)
        let turns = BatchTurns()
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var sequence = 0
            while !Task.isCancelled {
                await buffer.waitForDeliveries()
                if buffer.isDrained { break }
                let batch = await nextBatch(from: buffer)
                guard let last = batch.last else { continue }
                if inFlight == settings.concurrentBatches {
                    await group.next()
                    inFlight -= 1
                }
                let number = sequence
                sequence += 1
                inFlight += 1
                let handOff = BatchHandOff(batch)
                // Once shutting down, what has not started goes back to the queue at once (in order, with the batches
                // before it): a stop takes the batches in flight, not the whole prefetch.
                let returned = Task.isShuttingDownGracefully
                group.addTask {
                    let outcome = returned ? .returnToQueue : await process(handOff.deliveries, number: number, turns: turns)
                    turns.pass(number)
                    settler.settle(number, last: last, outcome: outcome)
                    connection.release(handOff.take())
                }
            }
        }
    }

    /// How a batch ends.
    enum Outcome: Sendable {
        /// Acknowledge everything up to this delivery (nil: nothing is left to acknowledge, all went back to the queue).
        case acknowledge(upTo: Delivery?)
        /// Return the whole batch to the queue.
        case returnToQueue
    }

    /// The batch could not be finished here (shutdown, or its connection is gone): it goes back to the queue.
    private struct Abandoned: Error {}

    /// Runs the handler until the whole batch is settled: transient failures are waited out, deliveries (or parts of
    /// one) that fail for what they hold are found by splitting and parked alone. Then dead-letters what was refused
    /// and queues what waits for a retry.
    private func process(_ batch: [Delivery], number: Int, turns: BatchTurns) async -> Outcome {
        do {
            var refused: [(rejection: Rejection, delivery: Delivery)] = []
            try await handle(batch, number: number, turns: turns, whole: true, refused: &refused)
            var retries: [(rejection: Rejection, delivery: Delivery)] = []
            var parked: [(rejection: Rejection, delivery: Delivery)] = []
            for item in refused {
                // A message to retry waits in the retry queue, unless it has been back too often: then it is parked too.
                let waits = item.rejection.disposition == .retryLater
                    && (item.delivery.properties.headers[Self.retriesHeader]?.intValue ?? 0) < Int64(settings.retryLimit)
                if waits { retries.append(item) } else { parked.append(item) }
            }
            try await untilDone(batch) {
                if !parked.isEmpty { try await deadLetter(parked) }
                if !retries.isEmpty { try await retryLater(retries) }
            }
            if !parked.isEmpty { rejectedCounter.increment(by: Int64(parked.count)) }
            handledCounter.increment(by: Int64(batch.count))
            return .acknowledge(upTo: batch.last)
        } catch {
            logger.warning("Batch returned to the queue unfinished", metadata: ["batch.size": .stringConvertible(batch.count)])
            return .returnToQueue
        }
    }

    /// Hands `deliveries` to the handler, again after each transient failure; when they fail for what they hold,
    /// splits them (halves, then a message into its parts) until each failing one is alone, and refuses that one.
    private func handle(
        _ deliveries: [Delivery], number: Int, turns: BatchTurns, whole: Bool, refused: inout [(rejection: Rejection, delivery: Delivery)]
    ) async throws {
        var failure: HandlerFailure = .transient
        var caught: (any Error)?
        try await untilDone(deliveries) {
            do {
                let turn = BatchTurn(number: number, turns: turns, passesTurn: whole)
                let rejections = try await BatchTurn.$current.withValue(turn) { try await handler(deliveries) }
                let byTag = Dictionary(deliveries.map { ($0.deliveryTag, $0) }, uniquingKeysWith: { first, _ in first })
                refused += rejections.compactMap { rejection in byTag[rejection.deliveryTag].map { (rejection, $0) } }
                caught = nil
            } catch {
                failure = settings.failureClassifier(error)
                guard case .deterministic = failure else { throw error }  // waited out and tried again
                caught = error
            }
        }
        guard let error = caught, case .deterministic(let code) = failure else { return }
        if deliveries.count > 1 {
            logger.warning(
                "Batch failed for what it holds; splitting it to find the messages at fault",
                metadata: ["error": .string("\(error)"), "batch.size": .stringConvertible(deliveries.count)])
            let half = deliveries.count / 2
            try await handle(Array(deliveries[..<half]), number: number, turns: turns, whole: false, refused: &refused)
            try await handle(Array(deliveries[half...]), number: number, turns: turns, whole: false, refused: &refused)
        } else if let delivery = deliveries.first, let parts = settings.messageSplitter?(delivery), parts.count > 1 {
            try await handle(parts.map { part(of: delivery, $0) }, number: number, turns: turns, whole: false, refused: &refused)
        } else if let delivery = deliveries.first {
            refused.append((Rejection(deliveryTag: delivery.deliveryTag, code: code, reason: "\(error)"), delivery))
        }
    }

    /// Runs `body` until it succeeds or fails for good: after a transient failure it waits (doubling from
    /// `failureBackoff` to `maximumFailureBackoff`) and runs it again, unless the service is shutting down or the deliveries' connection
    /// is gone (then nothing can be acknowledged: ``Abandoned``). A deterministic failure is rethrown.
    private func untilDone(_ deliveries: [Delivery], _ body: () async throws -> Void) async throws {
        var streak = 0
        while true {
            do {
                try await body()
                return
            } catch {
                guard !(error is Abandoned), settings.failureClassifier(error) == .transient else { throw error }
                streak += 1
                let delay = min(settings.failureBackoff * (1 << min(streak - 1, 16)), settings.maximumFailureBackoff)
                logger.error(
                    "Batch failed for a reason that should pass; trying it again",
                    metadata: [
                        "error": .string("\(error)"), "batch.size": .stringConvertible(deliveries.count),
                        "retry.after": .stringConvertible(delay), "failures.in.a.row": .stringConvertible(streak),
                    ])
                retriedCounter.increment()
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                let generation = deliveries.first?.connectionGeneration
                guard !Task.isShuttingDownGracefully, !Task.isCancelled, generation.map({ $0 == connection.generation }) ?? true else {
                    throw Abandoned()
                }
            }
        }
    }

    /// A part of `delivery` as a delivery of its own, under a tag of its own (parts are never acknowledged: their
    /// message is, with its batch), so that what the handler refuses names the part.
    private func part(of delivery: Delivery, _ part: MessagePart) -> Delivery {
        Delivery(
            deliveryTag: partTags.next(), connectionGeneration: delivery.connectionGeneration,
            exchange: delivery.exchange, routingKey: delivery.routingKey, redelivered: delivery.redelivered, body: part.body,
            properties: part.properties)
    }

    /// Up to `batchSize` deliveries from one connection, waiting at most `batchWait` after the first.
    private func nextBatch(from buffer: DeliveryBuffer) async -> [Delivery] {
        var batch = buffer.take(maximum: settings.batchSize)
        guard batch.count < settings.batchSize, !batch.isEmpty, settings.batchWait > .zero else { return batch }
        let deadline = ContinuousClock.now + settings.batchWait
        while batch.count < settings.batchSize, !buffer.isDrained {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            await buffer.waitForDeliveries(count: settings.batchSize - batch.count, timeout: remaining)
            let more = buffer.take(maximum: settings.batchSize - batch.count)
            if let generation = more.first?.connectionGeneration, generation != batch[0].connectionGeneration {
                batch = more  // the connection was replaced: older tags cannot be acknowledged any more
            } else {
                batch.append(contentsOf: more)
            }
        }
        return batch
    }

    /// Counts a message's trips through the retry queue.
    static let retriesHeader = "x-trastienda-retries"

    /// Publishes copies of the messages to retry into the retry queue, each expiring after the retry delay (then the
    /// broker moves it back to the consuming queue); the originals are acknowledged with the batch once confirmed.
    private func retryLater(_ retries: [(rejection: Rejection, delivery: Delivery)]) async throws {
        let delay = String(settings.retryDelay.wholeMilliseconds)
        try await connection.publish(
            retries.map { rejection, delivery -> OutgoingMessage in
                var properties = delivery.properties
                properties.headers[Self.retriesHeader] = .int((properties.headers[Self.retriesHeader]?.intValue ?? 0) + 1)
                properties.headers[Rejection.codeHeader] = .string(rejection.code)
                properties.headers[Rejection.reasonHeader] = .string(rejection.reason)
                properties.expiration = delay
                properties.userId = nil
                return OutgoingMessage(
                    exchange: "", routingKey: Topology.retryQueueName(for: settings.queue), body: rejection.remainder ?? delivery.body,
                    properties: properties)
            })
    }

    private func deadLetter(_ rejections: [(rejection: Rejection, delivery: Delivery)]) async throws {
        let messages = rejections.map { rejection, delivery -> OutgoingMessage in
            logger.warning(
                "Message rejected to the dead-letter queue",
                metadata: [
                    "rejection.code": .string(rejection.code), "rejection.reason": .string(rejection.reason),
                    "message.id": .string(delivery.properties.messageId ?? ""),
                    "trace.parent": .string(TraceContext.of(delivery.properties) ?? ""),
                ])
            var properties = delivery.properties
            properties.headers[Rejection.codeHeader] = .string(rejection.code)
            properties.headers[Rejection.reasonHeader] = .string(
                rejection.disposition == .retryLater ? "\(rejection.reason) (after \(settings.retryLimit) retries)" : rejection.reason)
            properties.headers["x-original-exchange"] = .string(delivery.exchange)
            properties.headers["x-original-routing-key"] = .string(delivery.routingKey)
            properties.headers[Rejection.deadLetteredAtHeader] = .int(Int64(Date().timeIntervalSince1970))
            properties.userId = nil  // the broker checks user_id against the connection's user, which is ours now
            return OutgoingMessage(
                exchange: settings.deadLetterExchange, routingKey: settings.queue, body: rejection.remainder ?? delivery.body,
                properties: properties)
        }
        try await connection.publish(messages)
    }
}

/// A batch held for its task, so that the task can give it away whole when it is done (the last reference then
/// goes to the connection's thread, see ``AMQPConnection/release(_:)``).
final class BatchHandOff: Sendable {
    private let state: Mutex<[Delivery]>

    init(_ deliveries: [Delivery]) { state = Mutex(deliveries) }

    var deliveries: [Delivery] { state.withLock { $0 } }

    func take() -> [Delivery] {
        state.withLock { deliveries in
            defer { deliveries = [] }
            return deliveries
        }
    }
}

/// Delivery tags for the parts of split messages: counted from 2^63, where the broker's tags never reach.
final class PartTags: Sendable {
    private let last = Atomic<UInt64>(1 << 63)
    func next() -> UInt64 { last.add(1, ordering: .relaxed).newValue }
}
