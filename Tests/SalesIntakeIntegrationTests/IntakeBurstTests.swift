import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import sales_intake

/// Bursts from `pos-sim` into intake processes: the closing-time flush, replicas, and a crash in the middle.
@Suite("Sales intake under a burst", .serialized)
struct IntakeBurstTests {
    struct Setup {
        let amqp: AMQPConfiguration
        let amqpURL: String
        let databaseURL: String
        let database: Database

        func intake(port: Int) throws -> ServiceProcess {
            try ServiceProcess(
                "sales-intake",
                environment: [
                    "TRASTIENDA_AMQP_URL": amqpURL, "TRASTIENDA_DATABASE_URL": databaseURL, "TRASTIENDA_HTTP_PORT": String(port),
                    "TRASTIENDA_LOG_LEVEL": "warning",
                ])
        }

        func posSim(sales: Int) throws -> ServiceProcess {
            try ServiceProcess(
                "pos-sim", arguments: ["--url", amqpURL, "--sales", String(sales), "--stores", "20", "--terminals", "5", "--quiet"])
        }

        func recorded() async throws -> (rows: Int, distinct: Int) {
            let row = try await database.query("SELECT count(*), count(DISTINCT sale_id) FROM sales")[0]
            return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
        }

        func stats(port: Int) async throws -> IntakeStatistics.Snapshot {
            let (_, body) = try await ProcessStack.request("GET", port: port, "/stats")
            let data = Data(body.utf8)
            struct Stats: Decodable { let sinceStart: IntakeStatistics.Snapshot }
            return try JSONDecoder().decode(Stats.self, from: data).sinceStart
        }
    }

    static func withSetup(_ body: (Setup) async throws -> Void) async throws {
        let amqp = try await TestInfrastructure.makeVirtualHost("burst")
        let databaseURL = try await TestInfrastructure.makeDatabaseURL("burst")
        let database = Database(.init(url: databaseURL, searchPath: "sales", poolSize: 1), logger: TestInfrastructure.logger)
        // The queues exist before the burst, as in production: nothing is published into the void.
        let declarer = AMQPConnection(configuration: amqp, topology: SalesIntake.topology, logger: TestInfrastructure.logger)
        try await declarer.declare(SalesIntake.topology)
        await declarer.close()
        let setup = Setup(amqp: amqp, amqpURL: TestInfrastructure.amqpURL + amqp.virtualHost, databaseURL: databaseURL, database: database)
        do {
            try await body(setup)
        } catch {
            database.close()
            await TestInfrastructure.deleteVirtualHost(amqp)
            await TestInfrastructure.dropDatabase(url: databaseURL)
            throw error
        }
        database.close()
        await TestInfrastructure.deleteVirtualHost(amqp)
        await TestInfrastructure.dropDatabase(url: databaseURL)
    }

    @Test("50,000 sales from pos-sim across two intake replicas: each recorded exactly once, none lost")
    func burstAcrossTwoReplicas() async throws {
        try await Self.withSetup { setup in
            let ports = [TestInfrastructure.freePort(), TestInfrastructure.freePort()]
            let replicas = try ports.map { try setup.intake(port: $0) }
            let simulator = try setup.posSim(sales: 50_000)
            #expect(await simulator.waitForExit(timeout: .seconds(300)))
            #expect(simulator.exitCode == 0, "\(simulator.output)")
            #expect(simulator.output.contains("confirmed: 50000"))
            let done = await eventually(timeout: .seconds(300), interval: .milliseconds(500)) {
                (try? await setup.recorded().rows) == 50_000
            }
            #expect(done)
            try await Task.sleep(for: .seconds(1))  // anything doubled would show now
            let recorded = try await setup.recorded()
            #expect(recorded.rows == 50_000)
            #expect(recorded.distinct == 50_000)
            let perReplica = try await ports.asyncMap { try await setup.stats(port: $0) }
            #expect(perReplica.allSatisfy { $0.recorded > 0 }, "both replicas took part: \(perReplica.map(\.recorded))")
            #expect(perReplica.map(\.recorded).reduce(0, +) == 50_000)
            #expect(perReplica.allSatisfy { $0.rejectedByCode.isEmpty })
            for replica in replicas { replica.send(SIGTERM) }
            for replica in replicas { #expect(await replica.waitForExit()) }
        }
    }

    @Test("intake killed with SIGKILL in the middle of a burst and restarted loses and doubles nothing")
    func killedMidBurst() async throws {
        try await Self.withSetup { setup in
            let announced = Seen()
            let announcementQueue = "test.sale-recorded"
            let listen = Topology(
                exchanges: [Exchanges.salesEvents], queues: [.init(name: announcementQueue)],
                bindings: [.init(queue: announcementQueue, exchange: Exchanges.salesEvents.name, routingKey: RoutingKeys.allSalesRecorded)])
            try await running([collector(setup.amqp, queue: announcementQueue, topology: listen, into: announced)]) {
                try await Task.sleep(for: .milliseconds(300))  // the announcement queue is bound
                let port = TestInfrastructure.freePort()
                let simulator = try setup.posSim(sales: 20_000)
                let first = try setup.intake(port: port)
                #expect(await eventually(timeout: .seconds(120), interval: .milliseconds(20)) {
                    ((try? await setup.recorded().rows) ?? 0) >= 3_000
                })
                first.send(SIGKILL)
                #expect(await first.waitForExit())
                let killedAt = try await setup.recorded().rows
                #expect(killedAt < 20_000, "killed in the middle")
                let second = try setup.intake(port: port)
                #expect(await simulator.waitForExit(timeout: .seconds(300)))
                #expect(simulator.exitCode == 0, "\(simulator.output)")
                #expect(await eventually(timeout: .seconds(300), interval: .milliseconds(500)) {
                    (try? await setup.recorded().rows) == 20_000
                })
                let ids = Set(try await setup.database.query("SELECT sale_id::text FROM sales").map { try $0.decode(String.self, at: 0) })
                #expect(await eventually(timeout: .seconds(60)) { Self.announcedIds(announced).isSuperset(of: ids) })
                let recorded = try await setup.recorded()
                #expect(recorded.rows == 20_000, "nothing lost, nothing doubled")
                #expect(recorded.distinct == 20_000)
                #expect(Self.announcedIds(announced).isSuperset(of: ids), "every recorded sale announced at least once")
                second.send(SIGTERM)
                #expect(await second.waitForExit())
            }
        }
    }

    static func announcedIds(_ seen: Seen) -> Set<String> {
        Set(seen.all.flatMap { delivery in
            ((try? JSONDecoder().decode(SaleRecordedV1.self, from: Data(delivery.body)))?.sales ?? []).map { $0.saleId.lowercased() }
        })
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
