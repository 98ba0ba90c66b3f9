import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import sales_intake

/// Sales intake running in this process against its own vhost and database, with collectors for its dead letters
/// and its announcements.
struct IntakeHarness {
    let amqp: AMQPConfiguration
    let databaseURL: String
    let database: Database
    let port: Int
    let deadLetters = Seen()
    let announcements = Seen()

    static let announcementQueue = "test.sale-recorded"

    /// Starts intake, runs `body`, stops intake and removes the vhost and the database.
    static func with(
        batchSize: Int = 100, _ body: (IntakeHarness, AMQPConnection) async throws -> Void
    ) async throws {
        let amqp = try await TestInfrastructure.makeVirtualHost("intake")
        let databaseURL = try await TestInfrastructure.makeDatabaseURL("intake")
        let database = Database(.init(url: databaseURL, searchPath: "sales", poolSize: 1), logger: TestInfrastructure.logger)
        let harness = IntakeHarness(
            amqp: amqp, databaseURL: databaseURL, database: database, port: TestInfrastructure.freePort())
        defer { database.close() }
        let configuration = try ServiceConfiguration.load(
            service: "sales-intake", defaultHTTPPort: harness.port,
            environment: [
                "TRASTIENDA_AMQP_URL": TestInfrastructure.amqpURL + amqp.virtualHost, "TRASTIENDA_DATABASE_URL": databaseURL,
                "TRASTIENDA_LOG_LEVEL": "error", "TRASTIENDA_CONSUMER_BATCH_SIZE": String(batchSize),
                "TRASTIENDA_CONSUMER_BATCH_WAIT_MS": "10",
            ])
        let topology = SalesIntake.topology.merging(
            Topology(queues: [.init(name: announcementQueue)], bindings: [
                .init(queue: announcementQueue, exchange: Exchanges.salesEvents.name, routingKey: RoutingKeys.allSalesRecorded)
            ]))
        let terminal = AMQPConnection(configuration: amqp.named("test-terminal"), topology: topology, logger: TestInfrastructure.logger)
        try await terminal.declare(topology)
        let service = Task { try await TrastiendaService.run(SalesIntake.definition, configuration: configuration) }
        do {
            try await running([
                collector(amqp, queue: Topology.deadLetterQueueName(for: Queues.intakePOSSales), topology: topology, into: harness.deadLetters),
                collector(amqp, queue: announcementQueue, topology: topology, into: harness.announcements),
            ]) {
                guard await eventually(timeout: .seconds(30), { await harness.isReady() }) else {
                    throw InfrastructureUnavailable(description: "sales intake did not become ready")
                }
                try await body(harness, terminal)
            }
        } catch {
            service.cancel()
            _ = await service.result
            await terminal.close()
            await TestInfrastructure.deleteVirtualHost(amqp)
            await TestInfrastructure.dropDatabase(url: databaseURL)
            throw error
        }
        service.cancel()
        _ = await service.result
        await terminal.close()
        await TestInfrastructure.deleteVirtualHost(amqp)
        database.close()
        await TestInfrastructure.dropDatabase(url: databaseURL)
    }

    func isReady() async -> Bool {
        guard let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://localhost:\(port)/health/ready")!) else {
            return false
        }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://localhost:\(port)\(path)")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func recordedCount() async throws -> Int {
        try await database.query("SELECT count(*) FROM sales")[0].decode(Int.self, at: 0)
    }

    /// Every sale id announced on `sales.events`, with repeats.
    func announcedSaleIds() throws -> [String] {
        try announcements.all.flatMap { delivery in
            try JSONDecoder().decode(SaleRecordedV1.self, from: Data(delivery.body)).sales.map { $0.saleId.lowercased() }
        }
    }
}
