import AMQPClient
import Foundation
import PostgresClient
import ServiceRuntime
import Synchronization
import Testing
import TrastiendaTesting

private func thing(_ index: Int) -> OutgoingMessage {
    OutgoingMessage(
        exchange: "test.events", routingKey: "thing.created", body: Array("{\"n\":\(index)}".utf8),
        properties: MessageProperties(type: "test.thing.v1", messageId: "m-\(index)"))
}

private func topology(deliveryLimit: Int = 20) -> Topology {
    Topology(exchanges: [Topology.Exchange("test.events")])
        .merging(.consumingQueue("test.things", deliveryLimit: deliveryLimit, bindings: [("test.events", "thing.#")]))
}

/// A failure that comes from what one message holds.
private struct Unreadable: Error, CustomStringConvertible {
    let id: String
    var description: String { "thing \(id) cannot be read" }
}

/// Message ids, counted each time a handler finished with them.
private final class Tally: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func add(_ deliveries: [Delivery]) {
        counts.withLock { counts in for delivery in deliveries { counts[delivery.properties.messageId ?? "", default: 0] += 1 } }
    }
    var all: [String: Int] { counts.withLock { $0 } }
}

private func count(_ database: Database) async -> Int64? {
    try? await database.query("SELECT count(*) FROM things").first?.decode(Int64.self, at: 0)
}

@Suite("Poison isolation in the consumer", .serialized)
struct ConsumerPoisonIsolationTests {
    @Test("a batch of 500 with one delivery that fails deterministically: 499 handled once, that one parked with code and reason")
    func oneBadDeliveryInFiveHundred() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let publisher = AMQPConnection(configuration: configuration, topology: topology(), logger: TestInfrastructure.logger)
            try await publisher.publish((0..<500).map(thing))
            await publisher.close()
            let handled = Tally()
            let calls = Atomic<Int>(0)
            var settings = ConsumerSettings(queue: "test.things", prefetch: 500, batchSize: 500, batchWait: .milliseconds(500))
            settings.failureClassifier = HandlerFailure.classifyServiceError
            let consumer = AMQPConsumer(configuration: configuration, settings: settings, topology: topology(), logger: TestInfrastructure.logger) {
                batch in
                calls.add(1, ordering: .relaxed)
                if let bad = batch.first(where: { $0.properties.messageId == "m-321" }) { throw Unreadable(id: bad.properties.messageId ?? "") }
                handled.add(batch)
                return []
            }
            let parked = Seen()
            let deadLetters = collector(configuration, queue: Topology.deadLetterQueueName(for: "test.things"), topology: topology(), into: parked)
            try await running([consumer, deadLetters]) {
                #expect(await eventually { handled.all.count == 499 && parked.count == 1 })
                try await Task.sleep(for: .milliseconds(300))  // room for a duplicate or a second dead letter to show
            }
            let counts = handled.all
            #expect(counts.count == 499 && counts["m-321"] == nil)
            #expect(counts.values.allSatisfy { $0 == 1 }, "each of the others handled exactly once")
            #expect(parked.count == 1)
            let dead = try #require(parked.all.first)
            #expect(dead.properties.messageId == "m-321")
            #expect(dead.body == Array("{\"n\":321}".utf8))
            #expect(dead.properties.headers[Rejection.codeHeader] == .string(HandlerFailure.handlerFailedCode))
            #expect(dead.properties.headers[Rejection.reasonHeader] == .string("thing m-321 cannot be read"))
            // Found by halving: about 2 × log2(500) calls, far fewer than one per delivery.
            #expect(calls.load(ordering: .relaxed) < 40)
            #expect(await eventually { (try? await TestInfrastructure.messageCount(queue: "test.things", virtualHost: configuration.virtualHost)) == 0 })
        }
    }

    @Test("with a delivery limit of 3, ten transient failures in a row (the database stopped, then started) park nothing")
    func databaseOutageParksNothing() async throws {
        let postgres = try PrivatePostgres()
        let database = Database(.init(url: postgres.url, poolSize: 2), logger: TestInfrastructure.logger)
        defer { database.close() }
        try await database.query("CREATE TABLE things (id text PRIMARY KEY)")
        try await TestInfrastructure.withVirtualHost { configuration in
            let failures = Atomic<Int>(0)
            var settings = ConsumerSettings(queue: "test.things", prefetch: 100, batchSize: 10, batchWait: .milliseconds(5))
            settings.failureClassifier = HandlerFailure.classifyServiceError
            settings.failureBackoff = .milliseconds(50)
            settings.maximumFailureBackoff = .milliseconds(200)
            let consumer = AMQPConsumer(
                configuration: configuration, settings: settings, topology: topology(deliveryLimit: 3), logger: TestInfrastructure.logger
            ) { batch in
                do {
                    try await database.query(
                        "INSERT INTO things SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
                        [PostgresArrays.text(batch.compactMap(\.properties.messageId))])
                } catch {
                    failures.add(1, ordering: .relaxed)
                    throw error
                }
                return []
            }
            let parked = Seen()
            let deadLetters = collector(configuration, queue: Topology.deadLetterQueueName(for: "test.things"), topology: topology(deliveryLimit: 3), into: parked)
            let publisher = AMQPConnection(configuration: configuration, topology: topology(deliveryLimit: 3), logger: TestInfrastructure.logger)
            try await running([consumer, deadLetters]) {
                try await publisher.publish((0..<5).map(thing))
                #expect(await eventually { await count(database) == 5 })
                try postgres.stop()
                try await publisher.publish((5..<40).map(thing))
                #expect(await eventually(timeout: .seconds(30)) { failures.load(ordering: .relaxed) >= 10 }, "the outage lasts ten failures")
                try postgres.start()
                #expect(await eventually(timeout: .seconds(30)) { await count(database) == 40 })
                try await Task.sleep(for: .milliseconds(500))
            }
            await publisher.close()
            #expect(failures.load(ordering: .relaxed) >= 10)
            #expect(parked.count == 0, "nothing parked: \(parked.all.compactMap(\.properties.messageId))")
            #expect(await eventually { (try? await TestInfrastructure.messageCount(queue: "test.things", virtualHost: configuration.virtualHost)) == 0 })
        }
    }
}
