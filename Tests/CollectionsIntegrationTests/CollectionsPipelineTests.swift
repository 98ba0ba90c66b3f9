import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import collections

/// Collections as separate processes beside the others, on one vhost and one database.
@Suite("Collections with the other services and with replicas", .serialized)
struct CollectionsPipelineTests {
    /// Intake, billing and collections as processes on `stack`, ready.
    static func startPipeline(_ stack: ProcessStack) async throws -> (ports: (intake: Int, billing: Int, collections: Int), services: [ServiceProcess]) {
        let ports = (intake: TestInfrastructure.freePort(), billing: TestInfrastructure.freePort(), collections: TestInfrastructure.freePort())
        let services = [
            try stack.process("sales-intake", port: ports.intake), try stack.process("billing", port: ports.billing),
            try stack.process("collections", port: ports.collections),
        ]
        for port in [ports.intake, ports.billing, ports.collections] { #expect(await ProcessStack.ready(port)) }
        return (ports, services)
    }

    @Test("deferred sales through intake and billing open the right receivables, to the cent; returns lower them")
    func salesToReceivables() async throws {
        try await ProcessStack.with("collections_pipeline") { stack in
            let (ports, services) = try await Self.startPipeline(stack)
            defer { for service in services { service.send(SIGTERM) } }
            #expect(try await ProcessStack.request("PUT", port: ports.billing, "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001","S002"]}"#).0 == 200)

            let customers = ["B12345678", "A87654321", "12345678Z"]
            var sales: [POSSaleV1] = []
            var expected: [String: Int64] = [:]  // invoice sale id → what stays on account
            for index in 0..<120 {
                let store = index % 2 == 0 ? "S001" : "S002"
                let price = Int64(100 + index * 37)
                let deferred = index % 3 != 2
                let taxId = customers[index % customers.count]
                var payments: [POSSaleV1.Payment] = [.init(method: deferred ? "deferred" : "card", amount: price * 2)]
                if deferred, index % 4 == 0 {  // part at the till, part on account
                    payments = [.init(method: "cash", amount: 50), .init(method: "deferred", amount: price * 2 - 50)]
                }
                let sale = POSSaleV1(
                    saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: "\(store)-T01", receiptNumber: Int64(index + 1),
                    occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR",
                    customer: .init(taxId: taxId, name: "Cliente \(taxId)", address: "C/ Mayor 1"),
                    lines: [.init(sku: "SKU-\(index % 5)", description: "Artículo", quantity: 2, unitPrice: price, taxRate: 21, discount: 0)],
                    payments: payments, total: price * 2, returnOf: nil)
                sales.append(sale)
                if deferred { expected[sale.saleId] = payments.filter { $0.method == "deferred" }.reduce(0) { $0 + $1.amount } }
            }
            let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
            func publish(_ sales: [POSSaleV1]) async throws {
                try await till.publish(
                    try sales.map { sale in
                        OutgoingMessage(
                            exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: Array(try JSONEncoder().encode(sale)),
                            properties: MessageProperties(type: "pos.sale.v1", messageId: sale.saleId))
                    })
            }
            try await publish(sales)
            let database = Database(.init(url: stack.databaseURL, searchPath: "collections", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            func amounts() async throws -> [String: Int64] {
                var byInvoice: [String: Int64] = [:]
                for row in try await database.query("SELECT invoice_number, amount_cents FROM receivables") {
                    byInvoice[try row.decode(at: 0)] = try row.decode(at: 1)
                }
                return byInvoice
            }
            #expect(await eventually(timeout: .seconds(60)) { (try? await amounts().count) == expected.count })

            // A return of one deferred sale, fully on account: its receivable goes down by the returned amount.
            let returned = sales.first { expected[$0.saleId] != nil && $0.payments.count == 1 }!
            try await publish([
                POSSaleV1(
                    saleId: UUID().uuidString.lowercased(), storeId: returned.storeId, terminalId: returned.terminalId, receiptNumber: 9_999,
                    occurredAt: "2026-11-29T11:00:00+01:00", cashierId: "E1", currency: "EUR", customer: returned.customer,
                    lines: returned.lines.map { .init(sku: $0.sku, description: $0.description, quantity: -1, unitPrice: $0.unitPrice, taxRate: $0.taxRate, discount: 0) },
                    payments: [.init(method: "deferred", amount: -returned.lines[0].unitPrice)], total: -returned.lines[0].unitPrice,
                    returnOf: .init(saleId: returned.saleId))
            ])
            await till.close()
            let invoices = Database(.init(url: stack.databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            defer { invoices.close() }
            var numberOfSale: [String: String] = [:]
            for row in try await invoices.query("SELECT sale_id::text, series || '/' || number FROM invoices WHERE kind = 'F1'") {
                numberOfSale[try row.decode(at: 0)] = try row.decode(at: 1)
            }
            var wanted: [String: Int64] = [:]
            for (saleId, cents) in expected { wanted[numberOfSale[saleId] ?? "?"] = cents }
            wanted[numberOfSale[returned.saleId]!]! -= returned.lines[0].unitPrice
            #expect(await eventually(timeout: .seconds(30)) { (try? await amounts()) == wanted })
            #expect(try await amounts() == wanted)
            let total = try await database.query("SELECT sum(amount_cents) FROM receivables")[0].decode(Int64.self, at: 0)
            #expect(total == wanted.values.reduce(0, +))
        }
    }

    @Test("one sale's traceparent is carried onto its invoice event and its receivable event")
    func traceFollowsTheSale() async throws {
        try await ProcessStack.with("collections_trace") { stack in
            let (ports, services) = try await Self.startPipeline(stack)
            defer { for service in services { service.send(SIGTERM) } }
            #expect(try await ProcessStack.request("PUT", port: ports.billing, "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001"]}"#).0 == 200)
            let listen = Topology(
                exchanges: [Exchanges.pos, Exchanges.billingEvents, Exchanges.collectionsEvents],
                queues: [.init(name: "test.invoices"), .init(name: "test.receivables")],
                bindings: [
                    .init(queue: "test.invoices", exchange: Exchanges.billingEvents.name, routingKey: "invoices.issued.#"),
                    .init(queue: "test.receivables", exchange: Exchanges.collectionsEvents.name, routingKey: "receivable.opened"),
                ])
            let invoices = Seen()
            let receivables = Seen()
            let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: listen, logger: TestInfrastructure.logger)
            try await till.declare(listen)
            try await running([
                collector(stack.amqp, queue: "test.invoices", topology: listen, into: invoices),
                collector(stack.amqp, queue: "test.receivables", topology: listen, into: receivables),
            ]) {
                let traced = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                let sale = POSSaleV1(
                    saleId: UUID().uuidString.lowercased(), storeId: "S001", terminalId: "S001-T01", receiptNumber: 1,
                    occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR",
                    customer: .init(taxId: "B12345678", name: "Talleres Norte SL", address: "C/ Mayor 1"),
                    lines: [.init(sku: "SKU-1", description: "Artículo", quantity: 1, unitPrice: 12_100, taxRate: 21, discount: 0)],
                    payments: [.init(method: "deferred", amount: 12_100)], total: 12_100, returnOf: nil)
                let untraced = POSSaleV1(
                    saleId: UUID().uuidString.lowercased(), storeId: "S001", terminalId: "S001-T01", receiptNumber: 2,
                    occurredAt: "2026-11-29T10:16:00+01:00", cashierId: "E1", currency: "EUR", customer: nil,
                    lines: [.init(sku: "SKU-2", description: "Otro", quantity: 1, unitPrice: 500, taxRate: 21, discount: 0)],
                    payments: [.init(method: "card", amount: 500)], total: 500, returnOf: nil)
                try await till.publish([
                    OutgoingMessage(
                        exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: Array(try JSONEncoder().encode(sale)),
                        properties: MessageProperties(type: "pos.sale.v1", messageId: sale.saleId).tracing(traced)),
                    OutgoingMessage(
                        exchange: Exchanges.pos.name, routingKey: untraced.routingKey, body: Array(try JSONEncoder().encode(untraced)),
                        properties: MessageProperties(type: "pos.sale.v1", messageId: untraced.saleId)),
                ])
                #expect(await eventually(timeout: .seconds(30)) { invoices.batchedDocuments.count == 2 && receivables.count == 1 })
                // Each document's trace is in its batch, by number.
                var traces: [String: String] = [:]
                for delivery in invoices.all { traces.merge(try InvoicesIssuedV1.parse(delivery.body).traceparents) { $1 } }
                let documents = try invoices.invoices()
                let invoice = try #require(documents.first { $0.saleId == sale.saleId })
                let other = try #require(documents.first { $0.saleId == untraced.saleId })
                let invoiceTrace = try #require(traces[invoice.number])
                #expect(TraceContext.traceId(invoiceTrace) == "4bf92f3577b34da6a3ce929d0e0e4736", "the sale's trace")
                #expect(invoiceTrace != traced, "billing's own span")
                #expect(traces[other.number] == nil, "a sale without a trace gives an invoice without one")
                let receivableTrace = try #require(TraceContext.of(receivables.all[0].properties))
                #expect(TraceContext.traceId(receivableTrace) == "4bf92f3577b34da6a3ce929d0e0e4736")
            }
            await till.close()
        }
    }

    @Test("moving the clock across the dunning levels raises each level once per receivable, with two replicas and a restart")
    func dunningOnceAcrossReplicas() async throws {
        try await ProcessStack.with("collections_dunning") { stack in
            let ports = [TestInfrastructure.freePort(), TestInfrastructure.freePort()]
            let settings = ["TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK": "1", "TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS": "50"]
            var replicas = try ports.map { try stack.process("collections", port: $0, settings) }
            defer { for replica in replicas { replica.send(SIGTERM) } }
            for port in ports { #expect(await ProcessStack.ready(port)) }
            #expect(try await ProcessStack.request("PUT", port: ports[0], "/clock", body: #"{"today":"2026-10-01"}"#).0 == 200)

            let listen = Topology(
                exchanges: [Exchanges.billingEvents, Exchanges.collectionsEvents], queues: [.init(name: "test.dunning")],
                bindings: [.init(queue: "test.dunning", exchange: Exchanges.collectionsEvents.name, routingKey: "#")])
            let billing = AMQPConnection(configuration: stack.amqp.named("test-billing"), topology: listen, logger: TestInfrastructure.logger)
            try await billing.declare(listen)
            let seen = Seen()
            // The outbox promises each event under one message id (a row a killed replica had published but not yet
            // deleted is published again by the other when its lease runs out): events are counted by message id,
            // and a message id seen twice must carry the same event.
            func events(_ routingKey: String) -> [Delivery] {
                var byId: [String: Delivery] = [:]
                var ordered: [Delivery] = []
                for delivery in seen.all where delivery.routingKey == routingKey {
                    let id = delivery.properties.messageId ?? ""
                    if let earlier = byId[id] {
                        #expect(earlier.body == delivery.body, "message \(id) came twice with different events")
                        continue
                    }
                    byId[id] = delivery
                    ordered.append(delivery)
                }
                return ordered
            }
            try await running([collector(stack.amqp, queue: "test.dunning", topology: listen, into: seen)]) {
                // Five invoices issued on 2026-10-01, due on 2026-10-31.
                try await billing.publish(CollectionsHarness.batches((1...5).map { document("S001-2026/\($0)", deferred: 1_000 * Int64($0)) }))
                await billing.close()
                #expect(await eventually { events("receivable.opened").count == 5 })

                func reminders() -> [DunningReminderV1] {
                    events(DunningReminderV1.routingKey).compactMap { try? JSONDecoder().decode(DunningReminderV1.self, from: Data($0.body)) }
                }
                // 8 days overdue: the first level for all five.
                #expect(try await ProcessStack.request("PUT", port: ports[1], "/clock", body: #"{"today":"2026-11-08"}"#).0 == 200)
                #expect(await eventually { reminders().count == 5 })
                // Invoice 5 is paid; replica 1 is killed and started again; the clock moves to 31 days overdue.
                #expect(try await ProcessStack.request("POST", port: ports[0], "/payments", body: #"{"paymentId":"P-5","customerTaxId":"B12345678","amountCents":5000,"invoiceNumber":"S001-2026/5"}"#).0 == 201)
                replicas[1].send(SIGKILL)
                #expect(await replicas[1].waitForExit())
                replicas[1] = try stack.process("collections", port: ports[1], settings)
                #expect(await ProcessStack.ready(ports[1]))
                #expect(try await ProcessStack.request("PUT", port: ports[1], "/clock", body: #"{"today":"2026-12-01"}"#).0 == 200)
                #expect(await eventually { reminders().count == 9 })
                // 70 days overdue: the final notice for the four still open.
                #expect(try await ProcessStack.request("PUT", port: ports[0], "/clock", body: #"{"today":"2027-01-09"}"#).0 == 200)
                #expect(await eventually { reminders().count == 13 })
                // Rows the killed replica had claimed come back to the relays when its lease (5 s) runs out.
                #expect(await eventually(timeout: .seconds(15)) { events("receivable.overdue").count >= 5 })
                try await Task.sleep(for: .milliseconds(500))  // several more runs of both replicas
            }
            let all = events(DunningReminderV1.routingKey).compactMap { try? JSONDecoder().decode(DunningReminderV1.self, from: Data($0.body)) }
            #expect(all.count == 13)
            #expect(Set(all.map { "\($0.invoiceNumber) \($0.level)" }).count == 13, "each level once per receivable")
            #expect(all.filter { $0.invoiceNumber == "S001-2026/5" }.map(\.level) == [1], "a paid receivable is not dunned further")
            #expect(all.first { $0.level == 3 }?.message.contains("final notice") == true)
            #expect(all.first { $0.invoiceNumber == "S001-2026/2" && $0.level == 1 }?.message.contains("20.00 EUR") == true)
            #expect(events("receivable.overdue").count == 5, "overdue announced once each")
            let history = try await ProcessStack.request("GET", port: ports[0], "/dunning?customer=B12345678")
            #expect(history.1.components(separatedBy: "\"level\"").count - 1 == 13)
        }
    }
}
