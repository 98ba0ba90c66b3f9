import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@testable import billing

@Suite("One sale billing cannot handle, inside a message of many")
struct BillingPoisonTests {
    @Test("one sale of ten fails in billing: the other nine are invoiced without a gap, that one is parked alone with its reason, and a replay after the fix invoices it once")
    func oneSaleOfTenParkedAlone() async throws {
        try await RunningService.with(Billing.definition) { service in
            #expect(try await service.request(
                "PUT", "/issuers/89890001K", body: #"{"legalName":"Trastienda Norte SL","address":"C/ Real 1","stores":["S001"]}"#).status == 200)
            let database = Database(.init(url: service.databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            // The injected failure: billing's own table refuses one total.
            try await database.query("ALTER TABLE invoices ADD CONSTRAINT test_refuses_4242 CHECK (total_cents <> 4242)")

            let sales = (0..<10).map { index in
                let total: Int64 = index == 6 ? 4242 : 1_000 + Int64(index)
                return POSSaleV1(
                    saleId: UUID().uuidString.lowercased(), storeId: "S001", terminalId: "S001-T01", receiptNumber: Int64(index + 1),
                    occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: nil,
                    lines: [.init(sku: "DET-005", description: "Detergente", quantity: 1, unitPrice: total, taxRate: 21, discount: 0)],
                    payments: [.init(method: "card", amount: total)], total: total, returnOf: nil)
            }
            let doomed = sales[6]
            let messageId = UUID().uuidString.lowercased()
            let topology = Topology(exchanges: [Exchanges.salesEvents])
            let intake = AMQPConnection(configuration: service.amqp.named("test-intake"), topology: topology, logger: TestInfrastructure.logger)
            defer { Task { await intake.close() } }
            try await intake.publish(
                OutgoingMessage(
                    exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: "S001"),
                    body: Array(try JSONEncoder().encode(SaleRecordedV1(storeId: "S001", recordedAt: "2026-11-29T09:15:01Z", sales: sales))),
                    properties: MessageProperties(type: SaleRecordedV1.messageType, messageId: messageId)))

            func invoiced() async throws -> [String: Int64] {
                var numbers: [String: Int64] = [:]
                for row in try await database.query("SELECT sale_id::text, number FROM invoices WHERE series LIKE 'S001-%'") {
                    numbers[try row.decode(at: 0)] = try row.decode(at: 1)
                }
                return numbers
            }
            let parked = Seen()
            let deadLetterQueue = Topology.deadLetterQueueName(for: Queues.billingSaleRecorded)
            try await running([collector(service.amqp, queue: deadLetterQueue, into: parked)]) {
                #expect(await eventually(timeout: .seconds(30)) { (try? await invoiced().count) == 9 && parked.count == 1 })
            }
            let numbers = try await invoiced()
            #expect(numbers.count == 9 && numbers[doomed.saleId] == nil)
            #expect(numbers.values.sorted() == Array(1...9), "the series has no gap")
            let dead = try #require(parked.all.first)
            let event = try SaleJSONParser.parseRecorded(dead.body)
            #expect(event.sales == [doomed], "only that sale is parked")
            #expect(dead.properties.headers[Rejection.codeHeader] == .string("handler.sqlstate_23"))
            #expect(dead.properties.headers[Rejection.reasonHeader]?.stringValue?.contains("test_refuses_4242") == true)
            #expect(dead.properties.headers[MessagePart.originalMessageIdHeader] == .string(messageId))
            #expect(dead.properties.messageId != messageId, "a message id of its own")

            // The fix, then the replay (as `trastienda dlq replay` does: back through its exchange).
            try await database.query("ALTER TABLE invoices DROP CONSTRAINT test_refuses_4242")
            var properties = dead.properties
            for header in [Rejection.codeHeader, Rejection.reasonHeader, Rejection.deadLetteredAtHeader, "x-original-exchange", "x-original-routing-key"] {
                properties.headers[header] = nil
            }
            let replay = OutgoingMessage(
                exchange: dead.properties.headers["x-original-exchange"]?.stringValue ?? "",
                routingKey: dead.properties.headers["x-original-routing-key"]?.stringValue ?? "", body: dead.body, properties: properties)
            try await intake.publish([replay, replay])  // twice: it is still invoiced once
            #expect(await eventually(timeout: .seconds(30)) { (try? await invoiced().count) == 10 })
            try await Task.sleep(for: .milliseconds(500))
            let after = try await invoiced()
            #expect(after.count == 10)
            #expect(after[doomed.saleId] == 10, "the next number")
            #expect(after.values.sorted() == Array(1...10))
            let chain = try await service.request("GET", "/issuers/89890001K/chain")
            #expect(chain.body.contains(#""valid":true"#), "\(chain.body)")
        }
    }
}
