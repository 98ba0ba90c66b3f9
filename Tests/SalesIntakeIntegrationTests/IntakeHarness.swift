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
    let service: RunningService
    let database: Database
    let deadLetters = Seen()
    let announcements = Seen()

    static let announcementQueue = "test.sale-recorded"

    /// Starts intake, runs `body` with a terminal's connection, stops intake and removes the vhost and the database.
    static func with(batchSize: Int = 100, _ body: (IntakeHarness, AMQPConnection) async throws -> Void) async throws {
        let environment = ["TRASTIENDA_CONSUMER_BATCH_SIZE": String(batchSize), "TRASTIENDA_CONSUMER_BATCH_WAIT_MS": "10"]
        try await RunningService.with(SalesIntake.definition, environment: environment) { service in
            let database = Database(.init(url: service.databaseURL, searchPath: "sales", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            let harness = IntakeHarness(service: service, database: database)
            let topology = SalesIntake.topology.merging(
                Topology(queues: [.init(name: announcementQueue)], bindings: [
                    .init(queue: announcementQueue, exchange: Exchanges.salesEvents.name, routingKey: RoutingKeys.allSalesRecorded)
                ]))
            let terminal = AMQPConnection(
                configuration: service.amqp.named("test-terminal"), topology: topology, logger: TestInfrastructure.logger)
            try await terminal.declare(topology)
            do {
                try await running([
                    collector(
                        service.amqp, queue: Topology.deadLetterQueueName(for: Queues.intakePOSSales), topology: topology,
                        into: harness.deadLetters),
                    collector(service.amqp, queue: announcementQueue, topology: topology, into: harness.announcements),
                ]) {
                    try await body(harness, terminal)
                }
            } catch {
                await terminal.close()
                throw error
            }
            await terminal.close()
        }
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        let answer = try await service.request("GET", path)
        return (answer.status, answer.body)
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
