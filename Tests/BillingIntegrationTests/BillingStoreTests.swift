import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@testable import billing

@Suite("Billing's numbering and chain against a real PostgreSQL")
struct BillingStoreTests {
    let issuer = Issuer(taxId: "89890001K", legalName: "Trastienda Norte SL", address: "C/ Real 1, Burgos")
    let date = (year: 2026, month: 11, day: 29)

    func draft(total: Int64 = 1_000, returnOf: String? = nil) -> InvoiceDraft {
        let sign: Int64 = returnOf == nil ? 1 : -1
        let sale = POSSaleV1(
            saleId: UUID().uuidString.lowercased(), storeId: "S001", terminalId: "S001-T01", receiptNumber: 1,
            occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: nil,
            lines: [.init(sku: "X", description: "X", quantity: sign, unitPrice: total, taxRate: 21, discount: 0)],
            payments: [.init(method: "card", amount: sign * total)], total: sign * total, returnOf: returnOf.map { .init(saleId: $0) })
        return InvoiceDraft(sale: sale, issuer: issuer, correcting: returnOf == nil ? nil : .simplified)
    }

    func withBilling(_ body: (Database) async throws -> Void) async throws {
        let (database, schema) = try await TestInfrastructure.makeDatabase("billing", poolSize: 4)
        do {
            try await database.migrate(schema: schema, BillingStore.migrations, logger: TestInfrastructure.logger)
            let issuer = self.issuer
            try await database.transaction { try BillingStore.addIssuer(issuer, stores: ["S001"], on: $0) }
            try await body(database)
        } catch {
            await TestInfrastructure.dropSchema(schema, on: database)
            throw error
        }
        await TestInfrastructure.dropSchema(schema, on: database)
    }

    func issue(_ draft: InvoiceDraft, on database: Database, at second: Int = 0) async throws -> BillingStore.Issued {
        let date = self.date
        return try await database.transaction { connection in
            try BillingStore.issue(
                draft, issueDate: date, generatedAt: String(format: "2026-11-29T10:%02d:%02d+01:00", second / 60 % 60, second % 60),
                on: connection)
        }
    }

    @Test("four writers racing on one series get 1…200 with no gap and no repeat, and the chain verifies")
    func gaplessUnderConcurrency() async throws {
        try await withBilling { database in
            let numbers = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        var numbers: [Int64] = []
                        for index in 0..<50 { numbers.append(try await issue(draft(), on: database, at: writer * 50 + index).number) }
                        return numbers
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(numbers.sorted() == Array(1...200))
            let check = try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: "89890001K", on: $0) }
            #expect(check == .init(records: 200, firstBroken: nil))
        }
    }

    @Test("a number taken by a transaction that rolls back is given to the next invoice")
    func rollbackLeavesNoGap() async throws {
        try await withBilling { database in
            let first = try await issue(draft(), on: database)
            #expect(first.number == 1)
            struct Crash: Error {}
            let date = self.date
            let doomed = draft()
            await #expect(throws: Crash.self) {
                try await database.transaction { connection in
                    _ = try BillingStore.issue(doomed, issueDate: date, generatedAt: "2026-11-29T10:00:01+01:00", on: connection)
                    throw Crash()
                }
            }
            let next = try await issue(draft(), on: database)
            #expect(next.number == 2)
        }
    }

    @Test("a redelivered sale gets its invoice back; credit notes have their own series")
    func idempotentAndCreditNotes() async throws {
        try await withBilling { database in
            let sale = draft()
            let first = try await issue(sale, on: database)
            let again = try await issue(sale, on: database, at: 9)
            #expect(first.isNew && !again.isNew)
            #expect(again.seriesNumber == first.seriesNumber)
            #expect(again.record.fingerprint == first.record.fingerprint)
            let credit = try await issue(draft(returnOf: sale.saleId), on: database, at: 10)
            #expect(credit.seriesNumber == "R-S001-2026/1")
            #expect(credit.record.kind == .correctingSimplified)
            #expect(credit.record.totalAmount == "-10.00")
            #expect(credit.record.previousFingerprint == first.record.fingerprint, "one chain per issuer, across series")
        }
    }

    @Test("tampering with one stored amount makes the chain check name that record")
    func tamperingIsFound() async throws {
        try await withBilling { database in
            for second in 0..<10 { _ = try await issue(draft(total: Int64(100 + second)), on: database, at: second) }
            try await database.query("UPDATE invoices SET total_cents = total_cents + 1 WHERE series = 'S001-2026' AND number = 7")
            let check = try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: "89890001K", on: $0) }
            #expect(check == .init(records: 10, firstBroken: "S001-2026/7"))
        }
    }
}
