import AMQPClient
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TrastiendaTesting

func message(_ index: Int, exchange: String = "test.events", routingKey: String = "thing.created") -> OutgoingMessage {
    OutgoingMessage(
        exchange: exchange, routingKey: routingKey, body: Array("{\"n\":\(index)}".utf8),
        properties: MessageProperties(
            type: "test.thing.v1", messageId: "m-\(index)", timestamp: 1_700_000_000,
            headers: ["traceparent": .string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "n": .int(Int64(index))]))
}

func testTopology(queue: String = "test.things", deliveryLimit: Int = 20) -> Topology {
    Topology(exchanges: [Topology.Exchange("test.events")])
        .merging(.consumingQueue(queue, deliveryLimit: deliveryLimit, bindings: [("test.events", "thing.#")]))
}

@Suite("AMQP client against a real RabbitMQ", .serialized)
struct AMQPRoundTripTests {
    @Test("publish with confirms, consume in batches, acknowledge: every message once, with its properties")
    func roundTrip() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let seen = Seen()
            let batchSizes = Mutex<[Int]>([])
            let publisher = AMQPPublisher(configuration: configuration, topology: testTopology(), logger: logger)
            let consumer = AMQPConsumer(
                configuration: configuration, settings: .init(queue: "test.things", prefetch: 500, batchSize: 100),
                topology: testTopology(), logger: logger
            ) { batch in
                seen.add(batch)
                batchSizes.withLock { $0.append(batch.count) }
                return []
            }
            try await running([publisher, consumer]) {
                try await publisher.publish((0..<2000).map { message($0) })
                if !(await eventually(timeout: .seconds(40)) { seen.count >= 2000 }) {
                    let state = await TestInfrastructure.queueState(queue: "test.things", virtualHost: configuration.virtualHost)
                    Issue.record("\(seen.count) of 2000 delivered; \(state); consumer connected: \(consumer.isConnected)")
                }
            }
            let deliveries = seen.all
            #expect(deliveries.count == 2000)
            #expect(Set(deliveries.compactMap(\.properties.messageId)) == Set((0..<2000).map { "m-\($0)" }))
            let first = try #require(deliveries.first { $0.properties.messageId == "m-7" })
            #expect(first.body == Array("{\"n\":7}".utf8))
            #expect(first.properties.type == "test.thing.v1")
            #expect(first.properties.contentType == "application/json")
            #expect(first.properties.persistent)
            #expect(first.properties.timestamp == 1_700_000_000)
            #expect(first.properties.headers["n"] == .int(7))
            #expect(first.properties.headers["traceparent"]?.stringValue?.hasPrefix("00-0af7") == true)
            #expect(first.routingKey == "thing.created")
            #expect(batchSizes.withLock { $0.max() ?? 0 } > 1, "deliveries should arrive in batches")
            #expect(batchSizes.withLock { $0.max() ?? 0 } <= 100)
            // Everything was acknowledged: nothing is ready or waiting in the queue.
            #expect(await eventually { (try? await TestInfrastructure.messageCount(queue: "test.things", virtualHost: configuration.virtualHost)) == 0 })
        }
    }

    @Test("a declaration the broker refuses for what it asks fails at once with its reply code (not tried again), and the connection recovers")
    func refusedDeclaration() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let connection = AMQPConnection(configuration: configuration, topology: testTopology(), logger: TestInfrastructure.logger)
            // The same queue again with another delivery limit: 406 PRECONDITION_FAILED.
            do {
                try await connection.declare(testTopology(deliveryLimit: 3))
                Issue.record("a queue declared again with other arguments was accepted")
            } catch let error as AMQPError {
                #expect(error.replyCode == 406, "\(error)")
                #expect(!error.isTransientRefusal)
                #expect(error.description.contains("test.things"), "\(error)")
            }
            try await connection.declare(Topology(queues: [.init(name: "test.other")]))
            try await connection.publish(message(3))
            await connection.close()
        }
    }

    @Test("a publish to an exchange that does not exist fails with a clear error, and the connection recovers")
    func publishToMissingExchange() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let connection = AMQPConnection(configuration: configuration, topology: testTopology(), logger: TestInfrastructure.logger)
            await #expect(throws: AMQPError.self) {
                try await connection.publish(message(1, exchange: "no.such.exchange"))
            }
            // The broker closed the channel; the connection reopens and publishes again.
            try await connection.publish(message(2))
            await connection.close()
        }
    }

    @Test("a rejected message reaches the dead-letter queue with its reason and its body intact")
    func rejectionGoesToDeadLetterQueue() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let accepted = Seen()
            let dead = Seen()
            let publisher = AMQPPublisher(configuration: configuration, topology: testTopology(), logger: logger)
            let consumer = AMQPConsumer(
                configuration: configuration, settings: .init(queue: "test.things", batchSize: 50), topology: testTopology(),
                logger: logger
            ) { batch in
                accepted.add(batch.filter { $0.properties.messageId != "m-3" })
                return batch.filter { $0.properties.messageId == "m-3" }.map {
                    Rejection(deliveryTag: $0.deliveryTag, code: "thing.bad_number", reason: "number 3 is not allowed")
                }
            }
            let deadLetterConsumer = collector(
                configuration, queue: Topology.deadLetterQueueName(for: "test.things"), topology: testTopology(), into: dead)
            try await running([publisher, consumer, deadLetterConsumer]) {
                try await publisher.publish((0..<10).map { message($0) })
                #expect(await eventually { accepted.count == 9 && dead.count == 1 })
            }
            let parked = try #require(dead.all.first)
            #expect(parked.body == Array("{\"n\":3}".utf8))
            #expect(parked.properties.messageId == "m-3")
            #expect(parked.properties.type == "test.thing.v1")
            #expect(parked.properties.headers[Rejection.codeHeader] == .string("thing.bad_number"))
            #expect(parked.properties.headers[Rejection.reasonHeader] == .string("number 3 is not allowed"))
            #expect(parked.properties.headers["traceparent"] != nil)
            #expect(parked.properties.headers["x-original-routing-key"] == .string("thing.created"))
            #expect(!accepted.all.contains { $0.properties.messageId == "m-3" })
        }
    }

    @Test("a message whose handling fails for what it holds is parked at once with its reason, spending no delivery limit")
    func deliveryLimitParksMessage() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let attempts = Atomic<Int>(0)
            let topology = testTopology(deliveryLimit: 3)
            let publisher = AMQPPublisher(configuration: configuration, topology: topology, logger: logger)
            struct Broken: Error, CustomStringConvertible { var description: String { "cannot handle it" } }
            let consumer = AMQPConsumer(
                configuration: configuration, settings: .init(queue: "test.things", batchSize: 1, batchWait: .zero, failureBackoff: .zero),
                topology: topology, logger: logger
            ) { _ in
                attempts.add(1, ordering: .relaxed)
                throw Broken()
            }
            let parked = Seen()
            let deadLetterConsumer = collector(
                configuration, queue: Topology.deadLetterQueueName(for: "test.things"), topology: topology, into: parked)
            try await running([publisher, consumer, deadLetterConsumer]) {
                try await publisher.publish(message(42))
                #expect(await eventually { parked.count == 1 })
            }
            #expect(parked.all.first?.body == Array("{\"n\":42}".utf8))
            #expect(parked.all.first?.properties.headers[Rejection.codeHeader] == .string(HandlerFailure.handlerFailedCode))
            #expect(parked.all.first?.properties.headers[Rejection.reasonHeader] == .string("cannot handle it"))
            // One try: a deterministic failure is not retried (the broker's delivery limit is left for a consumer that
            // dies on the message each time).
            #expect(attempts.load(ordering: .relaxed) == 1)
            #expect(try await TestInfrastructure.messageCount(queue: "test.things", virtualHost: configuration.virtualHost) == 0)
        }
    }

    @Test("a consumer whose connection the broker closes reconnects and goes on, losing no message")
    func survivesClosedConnection() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let seen = Seen()
            let publisher = AMQPPublisher(configuration: configuration, topology: testTopology(), logger: logger)
            let consumer = AMQPConsumer(
                configuration: configuration, settings: .init(queue: "test.things", prefetch: 100, batchSize: 20),
                topology: testTopology(), logger: logger
            ) { batch in
                seen.add(batch)
                try await Task.sleep(for: .milliseconds(5))  // a slow handler, so that the close lands mid-stream
                return []
            }
            try await running([publisher, consumer]) {
                try await publisher.publish((0..<1000).map { message($0) })
                #expect(await eventually { seen.count >= 100 })
                #expect(try TestInfrastructure.closeConnections(virtualHost: configuration.virtualHost) == 2)
                #expect(await eventually { !consumer.isConnected || seen.count >= 1000 })
                // Publish the second half, retrying what the dropped connection could not confirm.
                let second = (1000..<2000).map { message($0) }
                var published = false
                for _ in 0..<50 where !published {
                    do {
                        try await publisher.publish(second)
                        published = true
                    } catch let error as AMQPError where error.code == .connectionLost {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                #expect(published)
                let expected = Set((0..<2000).map { "m-\($0)" })
                #expect(await eventually(timeout: .seconds(60)) { Set(seen.all.compactMap(\.properties.messageId)) == expected })
            }
            #expect(consumer.isConnected == false)  // closed by the graceful shutdown
            let ids = Set(seen.all.compactMap(\.properties.messageId))
            #expect(ids.count == 2000, "no message lost")
            #expect(await eventually {
                (try? await TestInfrastructure.messageCount(queue: "test.things", virtualHost: configuration.virtualHost)) == 0
            })
        }
    }
}

@Suite("Graceful shutdown of a consumer")
struct ConsumerShutdownTests {
    @Test("a consumer shut down mid-stream finishes its batches in flight and returns the rest: a successor sees only the rest, nothing twice")
    func gracefulShutdownHandsOverCleanly() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let first = Seen()
            let second = Seen()
            let publisher = AMQPConnection(configuration: configuration, topology: testTopology(), logger: logger)
            try await publisher.publish((0..<300).map { message($0) })
            await publisher.close()
            let settings = ConsumerSettings(queue: "test.things", prefetch: 50, batchSize: 10, batchWait: .milliseconds(5))
            let consumer = AMQPConsumer(configuration: configuration, settings: settings, topology: testTopology(), logger: logger) { batch in
                first.add(batch)
                try await Task.sleep(for: .milliseconds(20))
                return []
            }
            try await running([consumer]) {
                #expect(await eventually { first.count >= 30 })
            }
            let handledFirst = first.count
            #expect(handledFirst < 300, "shutdown came mid-stream")
            let successor = collector(configuration, queue: "test.things", topology: testTopology(), into: second)
            try await running([successor]) {
                #expect(await eventually { first.count + second.count >= 300 })
                try await Task.sleep(for: .milliseconds(200))  // room for any duplicate to show up
            }
            let firstIds = Set(first.all.compactMap(\.properties.messageId))
            let secondIds = Set(second.all.compactMap(\.properties.messageId))
            #expect(firstIds.isDisjoint(with: secondIds), "nothing handled twice")
            #expect(firstIds.union(secondIds).count == 300, "nothing lost")
            // Some of the successor's messages may carry the redelivered flag: on cancel, a quorum queue takes back
            // what it had assigned to the consumer but not yet sent. None of them reached the first handler (above).
        }
    }
}

@Suite("Concurrent batches")
struct ConcurrentBatchTests {
    @Test("batches handled concurrently are acknowledged in order: a slow batch that fails is redelivered, not lost")
    func inOrderAcknowledgement() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let handled = Seen()
            let failedOnce = Atomic<Bool>(false)
            struct SlowFailure: Error {}
            let publisher = AMQPConnection(configuration: configuration, topology: testTopology(), logger: logger)
            try await publisher.publish((0..<300).map { message($0) })
            await publisher.close()
            let settings = ConsumerSettings(
                queue: "test.things", prefetch: 100, batchSize: 10, batchWait: .milliseconds(5), concurrentBatches: 3)
            let consumer = AMQPConsumer(configuration: configuration, settings: settings, topology: testTopology(), logger: logger) { batch in
                if batch.contains(where: { $0.properties.messageId == "m-5" }),
                    failedOnce.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
                {
                    try await Task.sleep(for: .milliseconds(150))  // later batches finish first
                    throw SlowFailure()
                }
                handled.add(batch)
                return []
            }
            try await running([consumer]) {
                #expect(await eventually { Set(handled.all.compactMap(\.properties.messageId)).count == 300 })
            }
            let didFail = failedOnce.load(ordering: .relaxed)
            #expect(didFail)
            #expect(Set(handled.all.compactMap(\.properties.messageId)).count == 300, "the failed batch came back")
        }
    }
}

@Suite("Retry later")
struct RetryLaterTests {
    @Test("a message asked to retry later comes back after the delay; past the retry limit it is parked with its reason")
    func retryThenPark() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let logger = TestInfrastructure.logger
            let handled = Seen()
            let parked = Seen()
            let attemptsOfThree = Atomic<Int>(0)
            let publisher = AMQPConnection(configuration: configuration, topology: testTopology(), logger: logger)
            try await publisher.publish((0..<10).map { message($0) })
            await publisher.close()
            let settings = ConsumerSettings(
                queue: "test.things", batchSize: 10, batchWait: .milliseconds(5), retryDelay: .milliseconds(50), retryLimit: 2)
            let consumer = AMQPConsumer(configuration: configuration, settings: settings, topology: testTopology(), logger: logger) { batch in
                var rejections: [Rejection] = []
                var accepted: [Delivery] = []
                for delivery in batch {
                    switch delivery.properties.messageId {
                    case "m-3" where attemptsOfThree.add(1, ordering: .relaxed).newValue < 2:
                        // Only part of it waits: that part comes back instead of the whole body.
                        rejections.append(
                            .retryLater(deliveryTag: delivery.deliveryTag, code: "thing.waiting", reason: "waits for m-2", remainder: Array(#"{"n":3,"part":true}"#.utf8)))
                    case "m-7":
                        rejections.append(.retryLater(deliveryTag: delivery.deliveryTag, code: "thing.orphan", reason: "its parent never came"))
                    default:
                        accepted.append(delivery)
                    }
                }
                handled.add(accepted)
                return rejections
            }
            let deadLetters = collector(
                configuration, queue: Topology.deadLetterQueueName(for: "test.things"), topology: testTopology(), into: parked)
            try await running([consumer, deadLetters]) {
                #expect(await eventually { handled.count == 9 && parked.count == 1 })
            }
            let three = try #require(handled.all.first { $0.properties.messageId == "m-3" })
            #expect(three.properties.headers["x-trastienda-retries"]?.intValue == 1, "m-3 came back once, through the retry queue")
            #expect(String(decoding: three.body, as: UTF8.self) == #"{"n":3,"part":true}"#, "the remainder, not the whole body")
            #expect(handled.all.filter { $0.properties.messageId == "m-3" }.count == 1)
            let orphan = try #require(parked.all.first)
            #expect(orphan.properties.messageId == "m-7")
            #expect(orphan.properties.headers[Rejection.codeHeader] == .string("thing.orphan"))
            #expect(orphan.properties.headers[Rejection.reasonHeader] == .string("its parent never came (after 2 retries)"))
        }
    }
}
