import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

/// SIGTERM as a container platform sends it, which kills at 10 s: every service must stop by itself well before,
/// whatever it is doing, and lose nothing.
@Suite("Graceful shutdown of every service while it is busy", .serialized)
struct ShutdownUnderLoadTests {
    static let names = ["sales-intake", "billing", "orders", "collections", "hr"]

    /// Sends SIGTERM and returns how long `service` took to exit by itself (nil: still running after 10 s).
    static func stop(_ service: ServiceProcess) async -> Duration? {
        let start = ContinuousClock.now
        service.send(SIGTERM)
        guard await service.waitForExit(timeout: .seconds(10)) else { return nil }
        return ContinuousClock.now - start
    }

    @Test("SIGTERM in a batch, in dunning, relaying the outbox: each of the five exits by itself within 10 s, and after a restart nothing is lost")
    func busyServicesStopInTime() async throws {
        try await ProcessStack.with("shutdown") { stack in
            let ports = Self.names.map { _ in TestInfrastructure.freePort() }
            func start(_ index: Int) throws -> ServiceProcess { try stack.process(Self.names[index], port: ports[index]) }
            var services = try Self.names.indices.map(start)
            defer { for service in services { service.send(SIGKILL) } }
            for port in ports { #expect(await ProcessStack.ready(port)) }
            #expect(try await ProcessStack.request("PUT", port: ports[1], "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001","S002"]}"#).0 == 200)

            // Outbox work for hr and orders: an announcement to many stores, stock adjustments.
            let stores = (1...400).map { String(format: "\"S%03d\"", $0) }.joined(separator: ",")
            #expect(try await ProcessStack.request("POST", port: ports[4], "/announcements", body: #"{"title":"Cierre","body":"Hoy cerramos a las 20:00","priority":"normal","stores":[\#(stores)]}"#).0 == 201)
            for index in 0..<50 {
                _ = try await ProcessStack.request("POST", port: ports[2], "/stock/S001/SKU-\(index)/adjustments", body: #"{"quantity":5,"reason":"recount"}"#)
            }

            let total = 6_000
            let ids = (0..<total).map { _ in UUID().uuidString.lowercased() }
            let messages = ids.enumerated().map { index, id in
                let store = index % 2 == 0 ? "S001" : "S002"
                var sale = SaleFixtures.validSale(saleId: id, store: store, terminal: "\(store)-T01", receipt: index + 1)
                if index % 5 == 0 { sale["payments"] = [["method": "deferred", "amount": 1398]] }
                return SaleFixtures.message(sale)
            }
            let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
            try await till.publish(messages)
            await till.close()

            func count(_ schema: String, _ table: String) async -> Int64 {
                let database = Database(.init(url: stack.databaseURL, searchPath: schema, poolSize: 1), logger: TestInfrastructure.logger)
                defer { database.close() }
                return (try? await database.query("SELECT count(*) FROM \(table)")[0].decode(Int64.self, at: 0)) ?? 0
            }
            // Each service is stopped while it has work in hand: intake mid-burst, the others once sales reach them.
            #expect(await eventually(timeout: .seconds(60), interval: .milliseconds(10)) { await count("sales", "sales") > 0 })
            for (index, table) in [(0, "sales.sales"), (1, "billing.invoices"), (2, "orders.sales_moved"), (4, "hr.sales_credited"), (3, "collections.receivables")] {
                let parts = table.split(separator: ".").map(String.init)
                _ = await eventually(timeout: .seconds(30), interval: .milliseconds(10)) { await count(parts[0], parts[1]) > 0 }
                let took = await Self.stop(services[index])
                #expect(took != nil, "\(Self.names[index]) did not stop within 10 s of SIGTERM:\n\(services[index].output.suffix(2000))")
                #expect(services[index].exitCode == 0, "\(Self.names[index]) exited by itself with 0, not by a signal (\(services[index].exitCode))")
                if let took { print("\(Self.names[index]) stopped \(took) after SIGTERM") }
            }

            // Started again, they finish the work: every sale recorded, invoiced, moved and credited, once.
            services = try Self.names.indices.map(start)
            for port in ports { #expect(await ProcessStack.ready(port)) }
            for (schema, table) in [("sales", "sales"), ("billing", "invoices"), ("orders", "sales_moved"), ("hr", "sales_credited")] {
                #expect(await eventually(timeout: .seconds(120), interval: .milliseconds(250)) { await count(schema, table) == Int64(total) }, "\(schema).\(table)")
            }
            #expect(await eventually(timeout: .seconds(60)) { await count("collections", "receivables") == Int64(total / 5) })
            #expect(await eventually(timeout: .seconds(30)) {
                let hr = await count("hr", "outbox")
                let orders = await count("orders", "outbox")
                return hr == 0 && orders == 0
            }, "outboxes relayed")
        }
    }

    @Test("SIGTERM while a batch waits out a database outage: billing exits by itself within 10 s; after the outage the sale is invoiced")
    func stopWhileWaitingOnARetry() async throws {
        let postgres = try PrivatePostgres()
        try await TestInfrastructure.withVirtualHost { amqp in
            let port = TestInfrastructure.freePort()
            let environment = [
                "TRASTIENDA_AMQP_URL": TestInfrastructure.amqpURL + amqp.virtualHost, "TRASTIENDA_DATABASE_URL": postgres.url,
                "TRASTIENDA_HTTP_PORT": String(port), "TRASTIENDA_LOG_LEVEL": "error",
            ]
            var billing = try ServiceProcess("billing", environment: environment)
            defer { billing.send(SIGKILL) }
            #expect(await ProcessStack.ready(port))
            #expect(try await ProcessStack.request("PUT", port: port, "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001"]}"#).0 == 200)
            try postgres.stop()
            let sale = try SaleJSONParser.parse(SaleFixtures.json(SaleFixtures.validSale(saleId: UUID().uuidString.lowercased())))
            let intake = AMQPConnection(configuration: amqp.named("test-intake"), topology: Topology(exchanges: [Exchanges.salesEvents]), logger: TestInfrastructure.logger)
            try await intake.publish(
                OutgoingMessage(
                    exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: "S001"),
                    body: Array(try JSONEncoder().encode(SaleRecordedV1(storeId: "S001", recordedAt: "2026-11-29T09:15:01Z", sales: [sale]))),
                    properties: MessageProperties(type: SaleRecordedV1.messageType, messageId: UUID().uuidString)))
            await intake.close()
            #expect(await eventually(timeout: .seconds(30)) { billing.output.contains("trying it again") }, "billing waits out the outage")
            let took = await Self.stop(billing)
            #expect(took != nil, "billing did not stop within 10 s of SIGTERM:\n\(billing.output.suffix(2000))")
            #expect(billing.exitCode == 0)

            try postgres.start()
            billing = try ServiceProcess("billing", environment: environment)
            #expect(await ProcessStack.ready(port))
            let database = Database(.init(url: postgres.url, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            #expect(await eventually(timeout: .seconds(30)) {
                (try? await database.query("SELECT count(*) FROM invoices WHERE sale_id = $1::uuid", [sale.saleId])[0].decode(Int64.self, at: 0)) == 1
            })
            #expect(try await TestInfrastructure.messageCount(queue: Topology.deadLetterQueueName(for: Queues.billingSaleRecorded), virtualHost: amqp.virtualHost) == 0)
        }
    }
}
