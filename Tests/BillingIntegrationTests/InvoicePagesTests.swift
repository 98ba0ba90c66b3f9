import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import billing

@Suite("Invoices in pages")
struct InvoicePagesTests {
    @Test("2,500 invoices walked in pages of 100 while more are issued: each of the first 2,500 seen exactly once")
    func walkWhileIssuing() async throws {
        try await RunningService.with(Billing.definition) { service in
            #expect(try await service.request("PUT", "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001"]}"#).status == 200)
            let intake = AMQPConnection(configuration: service.amqp.named("test-intake"), topology: Topology(exchanges: [Exchanges.salesEvents]), logger: TestInfrastructure.logger)
            func sales(_ count: Int) throws -> [OutgoingMessage] {
                try stride(from: 0, to: count, by: 50).map { _ in
                    try RecordedSaleFixtures.announcement((0..<50).map { _ in RecordedSaleFixtures.sale(lines: [(21, 1_210)]) })
                }
            }
            try await intake.publish(try sales(2_500))
            let first = await eventually(timeout: .seconds(120), interval: .milliseconds(200)) {
                (try? await service.request("GET", "/series").body.contains("2501")) ?? false
            }
            #expect(first, "2,500 invoices issued")
            // More are issued while the pages are read.
            let more = Task { try await intake.publish(try sales(1_000)) }
            var seen: [String: Int] = [:]
            var cursor: String?
            var pages = 0
            repeat {
                let after = cursor.map { "&after=\($0)" } ?? ""
                let response = try await service.request("GET", "/invoices?store=S001&limit=100\(after)")
                #expect(response.status == 200, "\(response.body.prefix(300))")
                let page = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
                let items = page["items"] as? [[String: Any]] ?? []
                #expect(items.count <= 100)
                for item in items { seen[item["number"] as? String ?? "?", default: 0] += 1 }
                cursor = page["next"] as? String
                pages += 1
            } while cursor != nil && pages < 100
            try await more.value
            await intake.close()
            let firstNumbers = (1...2_500).map { "S001-2026/\($0)" }
            #expect(firstNumbers.allSatisfy { seen[$0] == 1 }, "each of the first 2,500 once: \(firstNumbers.filter { seen[$0] != 1 }.prefix(5))")
            #expect(seen.values.allSatisfy { $0 == 1 }, "none twice")
            #expect(pages >= 25)
            #expect(try await service.request("GET", "/invoices?store=S001&limit=0").status == 400)
            #expect(try await service.request("GET", "/invoices?store=S001&limit=1001").status == 400)
            #expect(try await service.request("GET", "/invoices?store=S001&after=bm9wZQ").status == 400)
        }
    }
}
