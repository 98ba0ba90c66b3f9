import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@Suite("Sales intake against a real RabbitMQ and PostgreSQL", .serialized)
struct SalesIntakeTests {
    @Test("every bad message goes to the dead-letter queue with its code; nothing invalid is recorded; valid sales pass")
    func invalidMessagesAreDeadLettered() async throws {
        try await IntakeHarness.with { harness, terminal in
            let cases = SaleFixtures.invalidMessages()
            var messages: [OutgoingMessage] = []
            for (index, testCase) in cases.enumerated() {
                var message = testCase.message
                message.properties.headers["x-test-case"] = .int(Int64(index))
                messages.append(message)
                // A valid sale between each bad one: nothing valid waits on the invalid.
                let valid = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), receipt: 10 + index)
                messages.append(SaleFixtures.message(valid))
            }
            try await terminal.publish(messages)
            #expect(await eventually { harness.deadLetters.count >= cases.count })
            #expect(await eventually { (try? await harness.recordedCount()) == cases.count })

            var codes: [Int: String] = [:]
            for letter in harness.deadLetters.all {
                let index = try #require(letter.properties.headers["x-test-case"]?.intValue)
                codes[Int(index)] = letter.properties.headers[Rejection.codeHeader]?.stringValue
                #expect(letter.properties.headers[Rejection.reasonHeader]?.stringValue?.isEmpty == false)
                #expect(letter.body == cases[Int(index)].message.body, "the body is kept intact")
            }
            for (index, testCase) in cases.enumerated() {
                #expect(codes[index] == testCase.code, "\(testCase.name)")
            }
            #expect(harness.deadLetters.count == cases.count)
            #expect(try await harness.recordedCount() == cases.count, "only the valid sales are recorded")
            let stats = try await harness.get("/stats")
            #expect(stats.body.contains(#""sale.total_mismatch":1"#))
            let totals = try await harness.get("/stats/totals")
            #expect(totals.body.contains(#""sales":\#(cases.count),"#), "\(totals.body)")
        }
    }

    @Test("a sale delivered three times is recorded once and announced; the lookup finds it")
    func duplicatesRecordedOnce() async throws {
        try await IntakeHarness.with { harness, terminal in
            let sale = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased())
            let id = sale["saleId"] as! String
            try await terminal.publish([SaleFixtures.message(sale), SaleFixtures.message(sale)])  // twice in one batch
            #expect(await eventually { (try? harness.announcedSaleIds().contains(id)) == true })
            try await terminal.publish(SaleFixtures.message(sale))  // and again later
            #expect(await eventually { ((try? harness.announcedSaleIds().filter { $0 == id }.count) ?? 0) >= 2 })
            #expect(try await harness.recordedCount() == 1)
            #expect(harness.deadLetters.count == 0)
            let stored = try await harness.database.query(
                """
                SELECT occurred_at = $1::timestamptz, store_id, terminal_id, receipt_number, total, customer_tax_id, return_of IS NULL
                FROM sales WHERE sale_id = $2::uuid
                """, [SaleFixtures.recentTime, id])
            #expect(try stored[0].decode(Bool.self, at: 0), "occurredAt stored to the second")
            #expect(try stored[0].decode(String.self, at: 1) == "S001")
            #expect(try stored[0].decode(String.self, at: 2) == "S001-T01")
            #expect(try stored[0].decode(Int64.self, at: 3) == 1234)
            #expect(try stored[0].decode(Int64.self, at: 4) == 1398)
            #expect(try stored[0].decode(String.self, at: 5) == "B12345678")
            #expect(try stored[0].decode(Bool.self, at: 6))
            let lookup = try await harness.get("/sales/\(id)")
            #expect(lookup.status == 200)
            #expect(lookup.body.contains(#""saleId":"\#(id)""#))
            #expect(try await harness.get("/sales/\(UUID().uuidString)").status == 404)
            #expect(try await harness.get("/sales/not-a-uuid").status == 400)
        }
    }

    @Test("the same terminal and receipt with another saleId is refused as a conflict, in one batch or across batches")
    func receiptConflict() async throws {
        try await IntakeHarness.with { harness, terminal in
            let first = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), receipt: 77)
            let sameBatch = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), receipt: 77)
            try await terminal.publish([SaleFixtures.message(first), SaleFixtures.message(sameBatch)])
            #expect(await eventually { harness.deadLetters.count == 1 })
            let later = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), receipt: 77)
            try await terminal.publish(SaleFixtures.message(later))
            #expect(await eventually { harness.deadLetters.count == 2 })
            let codes = harness.deadLetters.all.map { $0.properties.headers[Rejection.codeHeader]?.stringValue }
            #expect(codes == ["sale.receipt_conflict", "sale.receipt_conflict"])
            #expect(Set(harness.deadLetters.all.compactMap(\.properties.messageId)) == [sameBatch["saleId"] as! String, later["saleId"] as! String])
            #expect(try await harness.recordedCount() == 1)
            let stored = try await harness.database.query("SELECT sale_id::text FROM sales")
            #expect(try stored[0].decode(String.self, at: 0) == first["saleId"] as! String)
        }
    }
}
