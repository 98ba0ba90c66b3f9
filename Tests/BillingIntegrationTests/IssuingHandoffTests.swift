import Contracts
import Dispatch
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@testable import billing

/// Batches numbered from where the batch before them will leave the chain, while it is not yet committed: each case
/// holds the first batch at the moment it hands on (before its COPY) and lets the second run into it.
@Suite("Billing's batches handed on to the next before they commit")
struct IssuingHandoffTests {
    let store = BillingStoreTests()

    /// The first batch, held after it has numbered and handed on until `release` is signalled.
    struct Held {
        let task: Task<[String], any Error>
        let attempt: IssuingHandoff.Attempt
        let release: DispatchSemaphore
    }

    func work(_ sales: [POSSaleV1]) -> InvoiceIssuer.Work { [(1, BillingStoreTests.event(sales))] }

    /// Starts issuing `sales` with `handoff`, held once handed on; `failing` rolls it back after it has issued.
    func hold(_ sales: [POSSaleV1], _ handoff: IssuingHandoff, on database: Database, failing: Bool = false) async -> Held {
        let attempt = IssuingHandoff.Attempt()
        let release = DispatchSemaphore(value: 0)
        let work = work(sales)
        let task = Task {
            try await database.transaction { connection in
                let (issued, _) = try InvoiceIssuer.issue(
                    work, fiscal: FiscalSettings(), generatedAt: "2026-11-29T10:00:00+01:00", handoff: (handoff, attempt, { release.wait() }),
                    on: connection)
                struct Crash: Error {}
                if failing { throw Crash() }
                return issued.map(\.seriesNumber)
            }
        }
        _ = await eventually(timeout: .seconds(10), interval: .milliseconds(5)) { attempt.isPublished }
        return Held(task: task, attempt: attempt, release: release)
    }

    /// Issues `sales` as the next batch with `handoff`.
    func next(_ sales: [POSSaleV1], _ handoff: IssuingHandoff, _ attempt: IssuingHandoff.Attempt, on database: Database) -> Task<[String], any Error> {
        let work = work(sales)
        return Task {
            try await database.transaction { connection in
                try InvoiceIssuer.issue(
                    work, fiscal: FiscalSettings(), generatedAt: "2026-11-29T10:00:01+01:00", handoff: (handoff, attempt, {}), on: connection
                ).issued.map(\.seriesNumber)
            }
        }
    }

    func chain(_ database: Database) async throws -> BillingStore.ChainCheck {
        try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: "89890001K", on: $0) }
    }

    @Test("the next batch numbers on from a batch not yet committed, stores its invoices meanwhile and commits after it")
    func numbersOnFromTheBatchBefore() async throws {
        try await store.withBilling { database in
            let handoff = IssuingHandoff(commitWait: 30)
            let first = [store.sale(), store.sale()]
            let held = await hold(first, handoff, on: database)
            #expect(held.attempt.isPublished)
            let second = IssuingHandoff.Attempt()
            // A return of a sale in the batch before, which nothing committed holds yet.
            let following = next([store.sale(), store.sale(returnOf: first[0].saleId)], handoff, second, on: database)
            _ = await eventually(timeout: .seconds(10), interval: .milliseconds(5)) { second.isPublished }
            #expect(second.isPublished, "numbered while the batch before holds the chain's lock")
            held.release.signal()
            #expect(try await held.task.value == ["S001-2026/1", "S001-2026/2"])
            held.attempt.settle(committed: true)
            #expect(try await following.value == ["S001-2026/3", "R-S001-2026/1"])
            #expect(try await store.numbers("S001-2026", on: database) == [1, 2, 3])
            let corrects = try await database.query("SELECT document FROM invoices WHERE series = 'R-S001-2026'")[0].decode(String.self, at: 0)
            #expect(corrects.contains(#""corrects":"S001-2026/1""#))
            #expect(try await chain(database) == .init(records: 4, firstBroken: nil))
        }
    }

    @Test("when the batch before rolls back, the next one does too and, issued again, numbers from what is committed")
    func theBatchBeforeRollsBack() async throws {
        try await store.withBilling { database in
            let handoff = IssuingHandoff(commitWait: 30)
            let held = await hold([store.sale(), store.sale()], handoff, on: database, failing: true)
            let second = IssuingHandoff.Attempt()
            let sales = [store.sale(), store.sale()]
            let following = next(sales, handoff, second, on: database)
            _ = await eventually(timeout: .seconds(10), interval: .milliseconds(5)) { second.isPublished }
            held.release.signal()
            await #expect(throws: (any Error).self) { try await held.task.value }
            held.attempt.settle(committed: false)
            await #expect(throws: IssuingHandoff.Mismatch.self) { try await following.value }
            #expect(try await store.numbers("S001-2026", on: database) == [])
            let again = try await store.issue([sales], on: database)
            #expect(again.documents.map(\.number) == ["S001-2026/1", "S001-2026/2"])
            #expect(try await chain(database) == .init(records: 2, firstBroken: nil))
        }
    }

    @Test("another writer that takes the chain after the batch before commits: the next batch rolls back, no gap, no fork")
    func anotherWriterInBetween() async throws {
        try await store.withBilling { database in
            let handoff = IssuingHandoff(commitWait: 1)
            let held = await hold([store.sale()], handoff, on: database)
            let second = IssuingHandoff.Attempt()
            let sales = [store.sale(), store.sale()]
            let following = next(sales, handoff, second, on: database)
            _ = await eventually(timeout: .seconds(10), interval: .milliseconds(5)) { second.isPublished }
            held.release.signal()
            #expect(try await held.task.value == ["S001-2026/1"])
            // Another replica, waiting on the chain's lock, issues before the next batch has settled; its number is
            // the one the next batch holds uncommitted, so it waits for that batch, which gives up waiting for the
            // batch before (never settled here) and rolls back.
            let other = try await store.issue([[store.sale()]], on: database, at: 2)
            #expect(other.documents.map(\.number) == ["S001-2026/2"])
            await #expect(throws: IssuingHandoff.Mismatch.self) { try await following.value }
            held.attempt.settle(committed: true)
            let again = try await store.issue([sales], on: database, at: 3)
            #expect(again.documents.map(\.number) == ["S001-2026/3", "S001-2026/4"])
            #expect(try await store.numbers("S001-2026", on: database) == [1, 2, 3, 4])
            #expect(try await chain(database) == .init(records: 4, firstBroken: nil))
        }
    }

    @Test("a batch that settles after a cancellation moved the chain finds it moved and rolls back")
    func movedBeforeSettling() async throws {
        try await store.withBilling { database in
            let handoff = IssuingHandoff(commitWait: 30)
            let held = await hold([store.sale()], handoff, on: database)
            let second = IssuingHandoff.Attempt()
            let sales = [store.sale()]
            let following = next(sales, handoff, second, on: database)
            _ = await eventually(timeout: .seconds(10), interval: .milliseconds(5)) { second.isPublished }
            held.release.signal()
            #expect(try await held.task.value == ["S001-2026/1"])
            // Once the batch before has committed, and before the next one settles, a cancellation (a record of
            // another table, which no uncommitted invoice holds up) moves the chain on.
            let cancelled = try await database.transaction {
                try Cancellations.cancel(
                    series: "S001-2026", number: 1, reason: "error", generatedAt: "2026-11-29T10:00:02+01:00", system: InvoicingSystem(), on: $0)
            }
            guard case .cancelled = cancelled else { Issue.record("not cancelled: \(cancelled)"); return }
            held.attempt.settle(committed: true)
            await #expect(throws: IssuingHandoff.Mismatch.self) { try await following.value }
            let again = try await store.issue([sales], on: database, at: 3)
            #expect(again.documents.map(\.number) == ["S001-2026/2"])
            #expect(try await chain(database) == .init(records: 3, firstBroken: nil), "the invoice, its annulment, the next invoice")
        }
    }
}
