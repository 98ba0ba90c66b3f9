import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// What a consumer does with a batch: the deliveries it refuses (they go to the dead-letter queue with their reason);
/// the rest are acknowledged together. Throwing returns the whole batch to the queue for another try.
public typealias BatchHandler = @Sendable ([Delivery]) async throws -> [Rejection]

/// How a consumer takes its messages.
public struct ConsumerSettings: Sendable {
    public var queue: String
    /// Unacknowledged deliveries the broker may send ahead.
    public var prefetch: Int
    /// The most deliveries handed to the handler at once.
    public var batchSize: Int
    /// How long to wait for a batch to fill once its first delivery is in.
    public var batchWait: Duration
    /// Batches handled at the same time (for example, one validated while the previous one is written); they are
    /// still acknowledged in the order they arrived.
    public var concurrentBatches: Int
    /// Where refused messages are published, with the queue's name as routing key.
    public var deadLetterExchange: String
    /// After a batch fails, how long to wait before returning it to the queue, doubled for each failure in a row
    /// (up to 30 s): an outage of the database then spends the queue's delivery limit over minutes, not seconds.
    public var failureBackoff: Duration
    /// How long a message the handler asked to retry later waits in the retry queue before it comes back. It waits
    /// there, not in the consumer: the batches after it go on meanwhile.
    public var retryDelay: Duration
    /// How many times a message may come back this way before it is dead-lettered with its reason.
    public var retryLimit: Int
    /// How long to wait before subscribing (a standby for a single-active-consumer queue subscribes later, so that
    /// the replica meant for it becomes its active consumer).
    public var subscribeAfter: Duration = .zero

    public init(
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
/// one multiple-ack. On graceful shutdown it stops the broker delivering, finishes what it already holds, acknowledges
/// it and closes.
public struct AMQPConsumer: Service {
    public let settings: ConsumerSettings
    public let connection: AMQPConnection
    private let handler: BatchHandler
    private let logger: Logger
    private let failuresInARow = FailureStreak()
    private let handledCounter: Counter
    private let rejectedCounter: Counter

    public init(
        configuration: AMQPConfiguration, settings: ConsumerSettings, topology: Topology = Topology(), logger: Logger,
        handler: @escaping BatchHandler
    ) {
        self.settings = settings
        self.handler = handler
        handledCounter = Counter(label: "amqp_messages_handled_total", dimensions: [("queue", settings.queue)])
        rejectedCounter = Counter(label: "amqp_messages_rejected_total", dimensions: [("queue", settings.queue)])
        var logger = logger
        logger[metadataKey: "amqp.queue"] = .string(settings.queue)
        self.logger = logger
        connection = AMQPConnection(
            configuration: configuration, topology: topology,
            consumer: .init(queue: settings.queue, prefetch: settings.prefetch, subscribeAfter: settings.subscribeAfter), logger: logger)
    }

    public var isConnected: Bool { connection.isConnected }

    public func run() async throws {
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
                group.addTask {
                    let outcome = await BatchTurn.$current.withValue(BatchTurn(number: number, turns: turns)) {
                        await process(handOff.deliveries)
                    }
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

    /// Runs the handler, dead-letters what it refuses and returns what it wants to retry later.
    private func process(_ batch: [Delivery]) async -> Outcome {
        do {
            let rejections = try await handler(batch)
            let byTag = Dictionary(batch.map { ($0.deliveryTag, $0) }, uniquingKeysWith: { first, _ in first })
            // A message to retry waits in the retry queue, unless it has been back too often: then it is parked too.
            let retries = rejections.filter { rejection in
                rejection.disposition == .retryLater
                    && (byTag[rejection.deliveryTag]?.properties.headers[Self.retriesHeader]?.intValue ?? 0) < Int64(settings.retryLimit)
            }
            let parked = rejections.filter { rejection in !retries.contains(rejection) }
            if !parked.isEmpty {
                try await deadLetter(parked, from: byTag)
                rejectedCounter.increment(by: Int64(parked.count))
            }
            if !retries.isEmpty { try await retryLater(retries, from: byTag) }
            handledCounter.increment(by: Int64(batch.count))
            failuresInARow.reset()
            return .acknowledge(upTo: batch.last)
        } catch {
            let streak = failuresInARow.increment()
            let delay = min(settings.failureBackoff * (1 << min(streak - 1, 16)), .seconds(30))
            logger.error(
                "Batch failed; returning it to the queue",
                metadata: [
                    "error": .string("\(error)"), "batch.size": .stringConvertible(batch.count),
                    "retry.after": .stringConvertible(delay),
                ])
            try? await Task.sleep(for: delay)
            return .returnToQueue
        }
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
    private func retryLater(_ retries: [Rejection], from byTag: [UInt64: Delivery]) async throws {
        let delay = String(settings.retryDelay.components.seconds * 1000 + settings.retryDelay.components.attoseconds / 1_000_000_000_000_000)
        try await connection.publish(
            retries.compactMap { rejection -> OutgoingMessage? in
                guard let delivery = byTag[rejection.deliveryTag] else { return nil }
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

    private func deadLetter(_ rejections: [Rejection], from byTag: [UInt64: Delivery]) async throws {
        let messages = rejections.compactMap { rejection -> OutgoingMessage? in
            guard let delivery = byTag[rejection.deliveryTag] else { return nil }
            logger.warning(
                "Message rejected to the dead-letter queue",
                metadata: [
                    "rejection.code": .string(rejection.code), "message.id": .string(delivery.properties.messageId ?? ""),
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

/// Acknowledges (or returns) batches strictly in the order they were taken, whatever order they finish in: a
/// multiple-ack covers every earlier tag, so batch n may only be settled once every batch before it is.
final class BatchSettler: Sendable {
    private struct State {
        var next = 0
        var finished: [Int: (last: Delivery, outcome: AMQPConsumer.Outcome)] = [:]
    }

    private let state = Mutex(State())
    private let connection: AMQPConnection

    init(connection: AMQPConnection) { self.connection = connection }

    func settle(_ number: Int, last: Delivery, outcome: AMQPConsumer.Outcome) {
        state.withLock { state in
            state.finished[number] = (last, outcome)
            while let (last, outcome) = state.finished.removeValue(forKey: state.next) {
                // Sent under the lock so that the connection receives them in order.
                switch outcome {
                case .acknowledge(let upTo?):
                    connection.acknowledge(upTo: upTo.deliveryTag, generation: upTo.connectionGeneration)
                case .acknowledge(nil):
                    break
                case .returnToQueue:
                    connection.reject(upTo: last.deliveryTag, generation: last.connectionGeneration, requeue: true)
                }
                state.next += 1
            }
        }
    }
}

/// Consecutive failed batches of one consumer.
final class FailureStreak: Sendable {
    private let count = Atomic<Int>(0)
    func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
    func reset() { count.store(0, ordering: .relaxed) }
}
