import AMQPClient
import Foundation
import Logging
import PostgresClient
import ServiceRuntime
import Testing
import TrastiendaTesting

@Suite("The transactional outbox against a real RabbitMQ and PostgreSQL")
struct OutboxTests {
    @Test("events committed while no relay runs (a crash between commit and publish) are published later, each exactly once, by two racing relays")
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
            #expect(seen.count == 300)
            #expect(Set(seen.all.map(\.routingKey)).count == 300, "each event once")
            #expect(!seen.all.contains { $0.routingKey == "ghost" })
            #expect(Set(seen.all.compactMap(\.properties.messageId)).count == 300)
            #expect(try await database.query("SELECT count(*) FROM outbox")[0].decode(Int64.self, at: 0) == 0)
        }
    }
}
