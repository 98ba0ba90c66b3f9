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

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        statistics.batchStarted()
        let started = ContinuousClock.now
        let (toIssue, rejections) = try RecordedSales.decode(batch, malformedCode: "billing.malformed_event")
        let fiscal = self.fiscal
        let generatedAt = Self.now()
        // In the order the batches came: a return is then never looked at before the batch holding its sale.
        let (issued, plan) = try await AMQPConsumer.inBatchOrder { try await database.transaction { connection in
            try Self.issue(toIssue, fiscal: fiscal, generatedAt: generatedAt, on: connection)
        } }
        let creditNotes = issued.count { $0.announcement.kind.isCreditNote }
        statistics.batchCommitted(
            invoices: issued.count - creditNotes, creditNotes: creditNotes, announcedAgain: plan.announcedAgain.count,
            retried: plan.retries.count, duration: .now - started)
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

    /// Issues what `work` asks for in the caller's transaction and returns the invoices issued and the plan they
    /// came from (with the invoices of redelivered sales to announce again, and the deliveries to retry later).
    static func issue(
        _ work: Work, fiscal: FiscalSettings, generatedAt: String, on connection: PostgresConnection
    ) throws -> (issued: [BillingStore.IssuedInvoice], plan: IssuancePlan) {
        let sales = work.flatMap(\.event.sales)
        let issuers = try BillingStore.issuers(of: Set(sales.map(\.storeId)), on: connection)
        // Locked before looking for known invoices, so that a replica that issued one of these sales has committed.
        let heads = try BillingStore.lockChains(of: Set(issuers.values.map(\.issuer.taxId)), on: connection)
        let surchargeCustomers = try BillingStore.surchargeCustomers(among: Set(sales.compactMap(\.customer?.taxId)), on: connection)
        func issue(knowing known: [String: KnownInvoice]) throws -> (issued: [BillingStore.IssuedInvoice], plan: IssuancePlan) {
            var plan = IssuancePlan(issuers: issuers, known: known, surchargeCustomers: surchargeCustomers, fiscal: fiscal)
            for item in work { plan.add(item.event, deliveryTag: item.deliveryTag) }
            let issued = try BillingStore.issue(plan.invoices, generatedAt: generatedAt, heads: heads, system: fiscal.system, on: connection)
            return (issued, plan)
        }
        // Nearly always none of the batch's own sales has an invoice yet (one has after a redelivery, or when a
        // replica issued it first): only the invoices its returns need are looked up, and the batch is issued under
        // a savepoint. When the invoices' unique sale id refuses one of its sales, the batch goes back to the
        // savepoint, looks its own sales up as well and is planned again, announcing those again instead.
        let referenced = try BillingStore.knownInvoices(Self.invoicesReferenced(by: sales), on: connection)
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
