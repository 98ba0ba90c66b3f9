import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient

/// Billing's consumer of `sale.recorded`: one invoice (or credit note) per sale, numbered and chained in one
/// transaction per batch, then announced on `billing.events` (one message per store, see ``AnnouncementSettings``)
/// with confirms before the batch is acknowledged.
///
/// Every sale is issued at most once (its invoice is found again on a redelivery and announced again). A sale whose
/// store has no issuer yet, or a return whose sale has no invoice yet, is retried later and parked with its reason
/// when the retries run out.
struct InvoiceIssuer: Sendable {
    let database: Database
    let publisher: AMQPPublisher
    let fiscal: FiscalSettings
    var announcements = AnnouncementSettings()
    let statistics: BillingStatistics
    let logger: Logger

    /// Recorded sales as they came, one entry per delivery.
    typealias Work = [(deliveryTag: UInt64, event: SaleRecordedV1)]

    /// Lets each batch number from where the one before it will leave the chains (see ``IssuingHandoff``).
    let handoff = IssuingHandoff()

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        statistics.batchStarted()
        let started = ContinuousClock.now
        let (toIssue, rejections) = try RecordedSales.decode(batch, malformedCode: "billing.malformed_event")
        let fiscal = self.fiscal
        let generatedAt = Self.now()
        let handoff = self.handoff
        // In the order the batches came: a return is then never looked at before the batch holding its sale is
        // committed or handed on. Each batch lets the next in once it is numbered.
        let attempt = IssuingHandoff.Attempt()
        var outcome: (issued: [BillingStore.IssuedInvoice], plan: IssuancePlan)
        var issuedAgain = false
        do {
            outcome = try await AMQPConsumer.inBatchOrder { passTurn in
                try await database.transaction { connection in
                    try Self.issue(toIssue, fiscal: fiscal, generatedAt: generatedAt, handoff: (handoff, attempt, passTurn), on: connection)
                }
            }
            attempt.settle(committed: true)
        } catch let error where attempt.isPublished {
            // Numbered from a guess that did not hold (or failed after handing on): issued again, waiting on the locks.
            attempt.settle(committed: false)
            issuedAgain = true
            logger.debug("Batch issued again after its handoff failed", metadata: ["error": .string("\(error)")])
            outcome = try await database.transaction { connection in
                try Self.issue(toIssue, fiscal: fiscal, generatedAt: generatedAt, on: connection)
            }
        } catch {
            attempt.settle(committed: false)
            throw error
        }
        let (issued, plan) = outcome
        let creditNotes = issued.count { $0.announcement.kind.isCreditNote }
        statistics.batchCommitted(
            invoices: issued.count - creditNotes, creditNotes: creditNotes, announcedAgain: plan.announcedAgain.count,
            retried: plan.retries.count, handedOn: !issuedAgain && attempt.numberedFromPredecessor, issuedAgain: issuedAgain,
            duration: .now - started)
        let announcements = plan.announcedAgain + issued.map(\.announcement)
        if logger.logLevel <= .debug {
            for invoice in issued {
                logger.debug(
                    "Invoice issued",
                    metadata: ["invoice.number": .string(invoice.seriesNumber), "trace.parent": .string(invoice.announcement.traceparent ?? "")])
            }
        }
        let timestamp = Int64(Date().timeIntervalSince1970)
        try await publisher.publish(InvoiceAnnouncement.messages(announcements, settings: self.announcements, timestamp: timestamp))
        return rejections + plan.retries
    }

    /// A batch's place in the handoff: where it leaves what it numbers, and the turn it passes once it has.
    typealias Handoff = (handoff: IssuingHandoff, attempt: IssuingHandoff.Attempt, passTurn: @Sendable () -> Void)

    /// Issues what `work` asks for in the caller's transaction and returns the invoices issued and the plan they
    /// came from (with the invoices of redelivered sales to announce again, and the deliveries to retry later).
    ///
    /// Without `handoff`, or when no batch is in flight before it, the batch locks its issuers' chains first and
    /// numbers from what is committed. With a batch in flight before it, it numbers from where that one will leave
    /// things, and checks before commit that it did (``BillingStore/settle(_:verifying:on:)``): any error then means
    /// the caller rolls back and issues the batch again without `handoff`.
    static func issue(
        _ work: Work, fiscal: FiscalSettings, generatedAt: String, handoff: Handoff? = nil, on connection: PostgresConnection
    ) throws -> (issued: [BillingStore.IssuedInvoice], plan: IssuancePlan) {
        let sales = work.flatMap(\.event.sales)
        let issuers = try BillingStore.issuers(of: Set(sales.map(\.storeId)), on: connection)
        let issuerIds = Set(issuers.values.map(\.issuer.taxId))
        let predecessor = handoff?.handoff.predecessor()
        var start = ChainEnds()
        if let predecessor {
            start = predecessor.batch.end
            let unknown = issuerIds.filter { start.heads[$0] == nil }
            start.heads.merge(try BillingStore.chainHeads(of: unknown, on: connection)) { $1 }
        } else {
            // Locked before looking for known invoices, so that a replica that issued one of these sales has committed.
            start.heads = try BillingStore.lockChains(of: issuerIds, on: connection)
        }
        let surchargeCustomers = try BillingStore.surchargeCustomers(among: Set(sales.compactMap(\.customer?.taxId)), on: connection)
        func issue(knowing known: [String: KnownInvoice]) throws -> (issued: [BillingStore.IssuedInvoice], plan: IssuancePlan) {
            var plan = IssuancePlan(issuers: issuers, known: known, surchargeCustomers: surchargeCustomers, fiscal: fiscal)
            for item in work { plan.add(item.event, deliveryTag: item.deliveryTag) }
            var from = start
            let unread = plan.series.filter { from.next[$0] == nil }
            from.next.merge(try BillingStore.nextNumbers(of: unread, on: connection)) { $1 }
            let batch = NumberedBatch(plan.invoices, generatedAt: generatedAt, from: from)
            if let handoff {
                // What the batch before leaves and this one does not touch goes on in `end` too (it began there).
                handoff.handoff.publish(handoff.attempt, batch, fromPredecessor: predecessor != nil)
                handoff.passTurn()
            }
            let issued = try BillingStore.store(batch, generatedAt: generatedAt, system: fiscal.system, on: connection)
            if let predecessor, let handoff, !predecessor.attempt.waitCommitted(timeout: handoff.handoff.commitWait) {
                throw IssuingHandoff.Mismatch()
            }
            try BillingStore.settle(batch, verifying: predecessor != nil, on: connection)
            return (issued, plan)
        }
        var referenced = try BillingStore.knownInvoices(Self.invoicesReferenced(by: sales), on: connection)
        if let predecessor {
            // The batch before is not committed: what it issued is known from it.
            referenced.merge(predecessor.batch.known(among: Self.invoicesToLookUp(for: sales))) { $1 }
            return try issue(knowing: referenced)
        }
        // Nearly always none of the batch's own sales has an invoice yet (one has after a redelivery, or when a
        // replica issued it first): only the invoices its returns need are looked up, and the batch is issued under
        // a savepoint. When the invoices' unique sale id refuses one of its sales, the batch goes back to the
        // savepoint, looks its own sales up as well and is planned again, announcing those again instead.
        if let issued = try connection.unlessDuplicate({ try issue(knowing: referenced) }) { return issued }
        return try issue(knowing: try BillingStore.knownInvoices(Self.invoicesToLookUp(for: sales), on: connection))
    }

    /// The sales whose invoices a batch needs to know: its own (issued already when redelivered) and those
    /// ``invoicesReferenced(by:)`` gives.
    static func invoicesToLookUp(for sales: [POSSaleV1]) -> Set<String> {
        invoicesReferenced(by: sales).union(sales.lazy.map(\.saleId))
    }

    /// The invoices a batch's returns need: of the sales they return, and the substitutes (F3) of those, which a
    /// return corrects instead of the ticket.
    static func invoicesReferenced(by sales: [POSSaleV1]) -> Set<String> {
        var ids = Set<String>()
        for sale in sales {
            guard let original = sale.returnOf?.saleId else { continue }
            ids.insert(original)
            ids.insert(Substitutions.derivedSaleId(of: original.lowercased()))
        }
        return ids
    }

    /// Now, ISO 8601 with its offset, as VERI*FACTU records want it.
    static func now() -> String {
        let text = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon))
        return text.hasSuffix("Z") ? String(text.dropLast()) + "+00:00" : text
    }
}
