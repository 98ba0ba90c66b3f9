import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@testable import billing

@Suite("Billing's numbering and chain against a real PostgreSQL")
struct BillingStoreTests {
    let issuer = Issuer(taxId: "89890001K", legalName: "Trastienda Norte SL", address: "C/ Real 1, Burgos")

    func sale(total: Int64 = 1_000, store: String = "S001", returnOf: String? = nil) -> POSSaleV1 {
        let sign: Int64 = returnOf == nil ? 1 : -1
        return POSSaleV1(
            saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: "\(store)-T01", receiptNumber: 1,
            occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: nil,
            lines: [.init(sku: "X", description: "X", quantity: sign, unitPrice: total, taxRate: 21, discount: 0)],
            payments: [.init(method: "card", amount: sign * total)], total: sign * total, returnOf: returnOf.map { .init(saleId: $0) })
    }

    func withBilling(_ body: (Database) async throws -> Void) async throws {
        let (database, schema) = try await TestInfrastructure.makeDatabase("billing", poolSize: 4)
        do {
            try await database.migrate(schema: schema, Billing.migrations, logger: TestInfrastructure.logger)
            let issuer = self.issuer
            try await database.transaction { try BillingStore.addIssuer(issuer, stores: ["S001"], on: $0) }
            try await body(database)
        } catch {
            await TestInfrastructure.dropSchema(schema, on: database)
            throw error
        }
        await TestInfrastructure.dropSchema(schema, on: database)
    }

    /// Issues one batch (one delivery per element of `deliveries`) as billing's consumer does, and returns the
    /// documents it announces and the deliveries it retries.
    func issue(_ deliveries: [[POSSaleV1]], on database: Database, at second: Int = 0) async throws -> (documents: [InvoiceIssuedV1], retries: [Rejection]) {
        let work: InvoiceIssuer.Work = deliveries.enumerated().map { (UInt64($0.offset + 1), Self.event($0.element)) }
        let (issued, plan) = try await database.transaction { connection in
            try InvoiceIssuer.issue(
                work, fiscal: FiscalSettings(), generatedAt: String(format: "2026-11-29T10:%02d:%02d+01:00", second / 60 % 60, second % 60),
                on: connection)
        }
        let announcements = plan.announcedAgain + issued.map(\.announcement)
        return (try announcements.map { try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data($0.body)) }, plan.retries)
    }

    static func event(_ sales: [POSSaleV1]) -> SaleRecordedV1 {
        SaleRecordedV1(storeId: sales.first?.storeId ?? "S001", recordedAt: "2026-11-29T09:15:01Z", sales: sales)
    }

    func numbers(_ series: String, on database: Database) async throws -> [Int64] {
        try await database.query("SELECT number FROM invoices WHERE series = $1 ORDER BY number", [series]).map { try $0.decode(at: 0) }
    }

    @Test("four writers racing on one series in batches get 1…200 with no gap and no repeat, and the chain verifies")
    func gaplessUnderConcurrency() async throws {
        try await withBilling { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<10 {
                            _ = try await issue([[sale(), sale()], [sale(), sale(), sale()]], on: database, at: writer * 10 + index)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await numbers("S001-2026", on: database) == Array(1...200))
            let check = try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: "89890001K", on: $0) }
            #expect(check == .init(records: 200, firstBroken: nil))
        }
    }

    @Test("numbers taken by a batch that rolls back are given to the next batch")
    func rollbackLeavesNoGap() async throws {
        try await withBilling { database in
            let first = try await issue([[sale()]], on: database)
            #expect(first.documents.map(\.sequence) == [1])
            struct Crash: Error {}
            let doomed: InvoiceIssuer.Work = [(1, Self.event([sale(), sale()]))]
            await #expect(throws: Crash.self) {
                try await database.transaction { connection in
                    _ = try InvoiceIssuer.issue(doomed, fiscal: FiscalSettings(), generatedAt: "2026-11-29T10:00:01+01:00", on: connection)
                    throw Crash()
                }
            }
            let next = try await issue([[sale()]], on: database)
            #expect(next.documents.map(\.sequence) == [2])
        }
    }

    @Test("a redelivered sale gets its invoice announced again; credit notes have their own series and chain on")
    func idempotentAndCreditNotes() async throws {
        try await withBilling { database in
            let original = sale()
            let first = try await issue([[original]], on: database)
            let again = try await issue([[original]], on: database, at: 9)
            #expect(again.documents == first.documents, "the same document, not a second invoice")
            #expect(try await numbers("S001-2026", on: database) == [1])
            // Redelivered beside a new sale: the batch is first issued as if both were new, refused by the
            // invoices' unique sale id, and issued again knowing; the new sale takes 2, with no gap left.
            let fresh = sale()
            let mixed = try await issue([[original], [fresh]], on: database, at: 9)
            #expect(mixed.documents.map(\.number) == ["S001-2026/1", "S001-2026/2"])
            #expect(mixed.documents[0] == first.documents[0])
            #expect(try await numbers("S001-2026", on: database) == [1, 2])
            let credit = try await issue([[sale(returnOf: original.saleId)]], on: database, at: 10).documents[0]
            #expect(credit.number == "R-S001-2026/1")
            #expect(credit.kind == "R5")
            #expect(credit.corrects == "S001-2026/1")
            #expect(credit.totalCents == -1_000)
            #expect(credit.previousFingerprint == mixed.documents[1].fingerprint, "one chain per issuer, across series")
        }
    }

    @Test("in one batch: a return corrects its sale issued just before it; only what must wait goes back to wait")
    func batchOfMixedDeliveries() async throws {
        try await withBilling { database in
            let first = sale()
            let orphan = sale(returnOf: UUID().uuidString.lowercased())
            let (documents, retries) = try await issue(
                [[first, sale(returnOf: first.saleId)], [sale(), orphan], [sale(store: "S999")], [sale(), sale()]], on: database)
            #expect(documents.map(\.number) == ["S001-2026/1", "R-S001-2026/1", "S001-2026/2", "S001-2026/3", "S001-2026/4"])
            #expect(documents[1].corrects == "S001-2026/1")
            #expect(retries.map(\.deliveryTag) == [2, 3])
            #expect(retries.map(\.code) == ["billing.original_not_invoiced", "billing.no_issuer"])
            // The sale delivered with the orphan return was issued; only the return waits, as a message of its own.
            let remainder = try SaleJSONParser.parseRecorded(try #require(retries[0].remainder))
            #expect(remainder.sales.map(\.saleId) == [orphan.saleId])
            #expect(retries[1].remainder == nil, "nothing of that delivery could be issued: all of it waits")
            for (previous, next) in zip(documents, documents.dropFirst()) { #expect(next.previousFingerprint == previous.fingerprint) }
            let check = try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: "89890001K", on: $0) }
            #expect(check == .init(records: 5, firstBroken: nil))
        }
    }

    @Test("tampering with one stored amount makes the chain check name that record")
    func tamperingIsFound() async throws {
        try await withBilling { database in
            for second in 0..<5 { _ = try await issue([[sale(total: Int64(100 + second)), sale(total: Int64(200 + second))]], on: database, at: second) }
            // Stored invoices refuse every change; a superuser's replica session gets around the trigger, as an intruder might.
            await #expect(throws: PostgresError.self) {
                try await database.query("UPDATE invoices SET total_cents = total_cents + 1 WHERE series = 'S001-2026' AND number = 7")
            }
            try await database.transaction { connection in
                try connection.query("SET LOCAL session_replication_role = replica")
                try connection.query("UPDATE invoices SET total_cents = total_cents + 1 WHERE series = 'S001-2026' AND number = 7")
            }
            let check = try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: "89890001K", on: $0) }
            #expect(check == .init(records: 10, firstBroken: "S001-2026/7"))
        }
    }
}
