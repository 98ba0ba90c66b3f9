import AMQPClient
import Foundation
import Logging
import PostgresClient
import ServiceRuntime
import Testing
import TrastiendaTesting

@Suite("The transactional outbox against a real RabbitMQ and PostgreSQL")
struct OutboxTests {
    @Test("events committed while no relay runs (a crash between commit and publish) are published later by two racing relays, each under one message id")
    func crashBetweenCommitAndPublish() async throws {
        let (database, schema) = try await TestInfrastructure.makeDatabase("outbox", poolSize: 4)
        do {
            try await relayEverything(database: database, schema: schema)
        } catch {
            await TestInfrastructure.dropSchema(schema, on: database)
            throw error
        }
        await TestInfrastructure.dropSchema(schema, on: database)
    }

    func relayEverything(database: Database, schema: String) async throws {
        try await database.migrate(schema: schema, [Outbox.migration(1), Outbox.traceMigration(2)], logger: TestInfrastructure.logger)
        try await TestInfrastructure.withVirtualHost { configuration in
            let topology = Topology(
                exchanges: [.init("test.events")], queues: [.init(name: "test.out")],
                bindings: [.init(queue: "test.out", exchange: "test.events", routingKey: "#")])
            // Committed, then the process "dies": nothing has published them.
            try await database.transaction { connection in
                for index in 0..<300 {
                    try Outbox.add(exchange: "test.events", routingKey: "thing.\(index)", type: "thing.v1", body: #"{"n":\#(index)}"#, on: connection)
                }
            }
            // A rolled-back transaction leaves nothing to publish.
            struct Crash: Error {}
            _ = try? await database.transaction { connection in
                try Outbox.add(exchange: "test.events", routingKey: "ghost", type: "thing.v1", body: "{}", on: connection)
                throw Crash()
            }
            let seen = Seen()
            let publishers = (0..<2).map { AMQPPublisher(configuration: configuration.named("relay-\($0)"), topology: topology, logger: TestInfrastructure.logger) }
            let relays = publishers.map {
                OutboxRelay(database: database, publisher: $0, logger: TestInfrastructure.logger, batchSize: 40, idleWait: .milliseconds(10))
            }
            try await running(publishers + relays + [collector(configuration, queue: "test.out", topology: topology, into: seen)]) {
                #expect(await eventually { seen.count >= 300 })
                try await Task.sleep(for: .milliseconds(300))
            }
            // At least once: a batch the broker refuses (basic.nack, a quorum queue under strain) is published
            // again, and a nack does not say the queue did not take it. Whatever arrives twice arrives under the
            // same message id, so a consumer recognises it; the two relays never publish one row under two ids.
            let idsByEvent = Dictionary(grouping: seen.all, by: \.routingKey).mapValues { Set($0.map(\.properties.messageId)) }
            #expect(idsByEvent.count == 300, "every event")
            #expect(idsByEvent.values.allSatisfy { $0.count == 1 && $0.first! != nil }, "each event under one message id")
            #expect(Set(seen.all.compactMap(\.properties.messageId)).count == 300)
            #expect(!seen.all.contains { $0.routingKey == "ghost" })
            #expect(try await database.query("SELECT count(*) FROM outbox")[0].decode(Int64.self, at: 0) == 0)
        }
    }
}
