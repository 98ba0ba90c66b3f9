import AMQPClient
import Foundation
import Logging
import Synchronization

/// What the consumers parked, why and since when; sent back where it came from after a fix; or thrown away. The CLI's
/// `trastienda dlq` and the console's operations page both do it through here.
package enum DeadLetters {
    /// One parked message: its id, the code and reason it was refused with, and how long ago.
    package struct Letter: Sendable {
        package var messageId: String
        package var code: String
        package var reason: String
        package var ageSeconds: Int64?
    }

    /// A dead-letter queue and what it holds (the first `count` of its messages, left in place).
    package struct Queue: Sendable {
        package var name: String
        /// The consuming queue its messages were refused by.
        package var consumer: String
        package var messages: Int
        package var letters: [Letter]
    }

    /// Every dead-letter queue of the vhost (or the one of `consumer`), with up to `count` letters of each that holds any.
    package static func list(_ api: ManagementAPI, consumer: String? = nil, count: Int = 20) async throws -> [Queue] {
        let parked = try await api.queues().map(\.name).filter { $0.hasSuffix(".dead-letter") }
            .filter { consumer == nil || $0 == Topology.deadLetterQueueName(for: consumer!) }
        let now = Int64(Date().timeIntervalSince1970)
        var queues: [Queue] = []
        for name in parked {
            // Each queue is read, whatever the sampled statistics say: its count is then the broker's own, of now.
            let peeked = try await api.peek(name, count: max(1, count))
            let messages = ManagementAPI.messageCount(peeked: peeked)
            let letters = peeked.prefix(count).map { message -> Letter in
                let properties = message["properties"] as? [String: Any] ?? [:]
                let headers = properties["headers"] as? [String: Any] ?? [:]
                let death = (headers["x-death"] as? [[String: Any]])?.first
                let code = headers[Rejection.codeHeader] as? String ?? (death?["reason"] as? String).map { "broker.\($0)" } ?? "?"
                let parkedAt = (headers[Rejection.deadLetteredAtHeader] as? Int).map(Int64.init)
                    ?? (death?["time"] as? Int).map(Int64.init) ?? (properties["timestamp"] as? Int).map(Int64.init)
                return Letter(
                    messageId: properties["message_id"] as? String ?? "", code: code, reason: headers[Rejection.reasonHeader] as? String ?? "",
                    ageSeconds: parkedAt.map { max(0, now - $0) })
            }
            queues.append(Queue(name: name, consumer: String(name.dropLast(".dead-letter".count)), messages: messages, letters: letters))
        }
        return queues
    }

    /// How many dead letters `consumer`'s queue holds now; nil when it has no dead-letter queue.
    package static func waiting(_ api: ManagementAPI, consumer: String) async throws -> Int? {
        let name = Topology.deadLetterQueueName(for: consumer)
        guard try await api.queues().contains(where: { $0.name == name }) else { return nil }
        return try await api.messageCount(name)
    }

    /// `3 min`, `2 h`, `4 d`.
    package static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: "\(max(0, seconds)) s"
        case ..<7_200: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3_600) h"
        default: "\(seconds / 86_400) d"
        }
    }

    /// Publishes the dead letters of `consumer`'s queue again to where they first went (without the refusal's
    /// headers, marked `x-replayed`), each removed once the broker confirmed its copy; returns how many.
    ///
    /// At most `limit` are replayed (the queue's count when asked, given by the caller): a message refused again
    /// comes back to the same queue, and must not be replayed round and round. What a batch holds beyond the limit
    /// goes back to the dead-letter queue as it was.
    package static func replay(consumer: String, limit: Int = .max, configuration: AMQPConfiguration, logger: Logger) async throws -> Int {
        let deadLetterQueue = Topology.deadLetterQueueName(for: consumer)
        let publisher = AMQPConnection(configuration: configuration, logger: logger)
        let replayed = Atomic<Int>(0)
        let lastActivity = Mutex(ContinuousClock.now)
        let inFlight = Atomic<Int>(0)
        let amqp = AMQPConsumer(
            configuration: configuration,
            settings: ConsumerSettings(queue: deadLetterQueue, prefetch: max(1, min(limit, 200)), batchSize: max(1, min(limit, 100))),
            logger: logger
        ) { batch in
            inFlight.add(1, ordering: .relaxed)
            defer { inFlight.subtract(1, ordering: .relaxed) }
            let allowed = max(0, limit - replayed.load(ordering: .relaxed))
            let kept = batch.dropFirst(allowed).map {
                OutgoingMessage(exchange: "", routingKey: deadLetterQueue, body: $0.body, properties: $0.properties)
            }
            let messages = batch.prefix(allowed).map { delivery -> OutgoingMessage in
                var properties = delivery.properties
                let headers = properties.headers
                let death = headers["x-death"].flatMap(firstDeath)
                let exchange = headers["x-original-exchange"]?.stringValue ?? death?.exchange ?? ""
                let routingKey = headers["x-original-routing-key"]?.stringValue ?? death?.routingKey ?? consumer
                for key in [
                    Rejection.codeHeader, Rejection.reasonHeader, Rejection.deadLetteredAtHeader, "x-original-exchange", "x-original-routing-key", "x-death",
                ] {
                    properties.headers[key] = nil
                }
                properties.headers["x-replayed"] = .bool(true)
                return OutgoingMessage(exchange: exchange, routingKey: routingKey, body: delivery.body, properties: properties)
            }
            try await publisher.publish(messages + kept)
            replayed.add(messages.count, ordering: .relaxed)
            lastActivity.withLock { $0 = .now }
            return []
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await amqp.run() }
            // The idle clock starts once the subscription is up (on a busy broker that can take seconds), and each
            // batch restarts it, from when its handling began.
            let connectBy = ContinuousClock.now + .seconds(30)
            while !amqp.isConnected, ContinuousClock.now < connectBy { try await Task.sleep(for: .milliseconds(100)) }
            lastActivity.withLock { $0 = .now }
            while inFlight.load(ordering: .relaxed) > 0
                || (replayed.load(ordering: .relaxed) < limit && ContinuousClock.now - lastActivity.withLock({ $0 }) < .seconds(3))
            {
                try await Task.sleep(for: .milliseconds(200))
            }
            group.cancelAll()
        }
        await publisher.close()
        return replayed.load(ordering: .relaxed)
    }

    /// The exchange and routing key a broker-dead-lettered message first went to.
    private static func firstDeath(_ value: HeaderValue) -> (exchange: String, routingKey: String)? {
        guard case .array(let deaths) = value, case .table(let death)? = deaths.first else { return nil }
        let routingKey: String? = if case .array(let keys)? = death["routing-keys"] { keys.first?.stringValue } else { nil }
        return (death["exchange"]?.stringValue ?? "", routingKey ?? "")
    }
}
