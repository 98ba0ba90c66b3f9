import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient

/// Billing's consumer of `sale.recorded`: one invoice (or credit note) per sale, numbered and chained in one
/// transaction per batch, then announced on `billing.events` with confirms before the batch is acknowledged.
///
/// Every sale is issued at most once (its invoice is found again on a redelivery and announced again). A sale whose
/// store has no issuer yet, or a return whose sale has no invoice yet, is retried later and parked with its reason
/// when the retries run out.
struct InvoiceIssuer: Sendable {
    let database: Database
    let publisher: AMQPPublisher
    let fiscal: FiscalSettings
    let logger: Logger

    private struct Retry: Error {
        let code: String
        let reason: String
    }

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        var work: [(tag: UInt64, sales: [POSSaleV1])] = []
        let decoder = JSONDecoder()
        for delivery in batch {
            guard let event = try? decoder.decode(SaleRecordedV1.self, from: Data(delivery.body)) else {
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: "billing.malformed_event", reason: "not a sale.recorded.v1"))
                continue
            }
            work.append((delivery.deliveryTag, event.sales))
        }
        let generatedAt = Self.now()
        let toIssue = work
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let (documents, retries) = try await database.transaction { connection -> ([(InvoiceIssuedV1, [UInt8])], [Rejection]) in
            var documents: [(InvoiceIssuedV1, [UInt8])] = []
            var retries: [Rejection] = []
            var issuers: [String: Issuer] = [:]
            for store in Set(toIssue.flatMap { $0.sales.map(\.storeId) }) {
                issuers[store] = try Self.issuer(store: store, on: connection)
            }
            try Self.lockChains(of: issuers.values.map(\.taxId), on: connection)
            let surcharged = try BillingStore.surchargeCustomers(
                among: Set(toIssue.flatMap { $0.sales.compactMap { $0.customer?.taxId } }), on: connection)
            let fiscal = self.fiscal
            for item in toIssue {
                do {
                    for sale in item.sales {
                        documents.append(
                            try Self.issue(
                                sale, generatedAt: generatedAt, fiscal: fiscal,
                                equivalenceSurcharge: sale.customer?.taxId.map(surcharged.contains) ?? false, issuers: issuers,
                                encoder: encoder, on: connection))
                    }
                } catch let retry as Retry {
                    retries.append(.retryLater(deliveryTag: item.tag, code: retry.code, reason: retry.reason))
                }
            }
            return (documents, retries)
        }
        let timestamp = Int64(Date().timeIntervalSince1970)
        try await publisher.publish(
            documents.map { document, body in
                OutgoingMessage(
                    exchange: Exchanges.billingEvents.name, routingKey: document.routingKey, body: body,
                    properties: MessageProperties(
                        type: document.kind.hasPrefix("R") ? InvoiceIssuedV1.creditNoteType : InvoiceIssuedV1.invoiceType,
                        messageId: "\(document.number)", timestamp: timestamp))
            })
        return rejections + retries
    }

    /// Issues `sale` (or finds its invoice) and returns the document with its JSON, which is stored with the invoice.
    private static func issue(
        _ sale: POSSaleV1, generatedAt: String, fiscal: FiscalSettings, equivalenceSurcharge: Bool, issuers: [String: Issuer],
        encoder: JSONEncoder, on connection: PostgresConnection
    ) throws -> (InvoiceIssuedV1, [UInt8]) {
        guard let issuer = issuers[sale.storeId] else {
            throw Retry(code: "billing.no_issuer", reason: "store \(sale.storeId) has no issuer yet (PUT /issuers/{taxId})")
        }
        var corrects: (kind: InvoiceKind, number: String)?
        if let original = sale.returnOf {
            guard let row = try connection.query(
                "SELECT kind, series || '/' || number FROM invoices WHERE sale_id = $1::uuid", [original.saleId]
            ).first, let kind = InvoiceKind(rawValue: try row.decode(at: 0)) else {
                throw Retry(code: "billing.original_not_invoiced", reason: "sale \(original.saleId), which this returns, has no invoice yet")
            }
            corrects = (kind, try row.decode(at: 1))
        }
        let draft = InvoiceDraft(
            sale: sale, issuer: issuer, correcting: corrects?.kind, equivalenceSurcharge: equivalenceSurcharge,
            retailLimitCents: fiscal.retailLimitCents, rates: fiscal.rates)
        let date = Self.issueDate(sale.occurredAt)
        func document(_ issued: BillingStore.Issued) -> InvoiceIssuedV1 {
            InvoiceIssuedV1(
                kind: draft.kind.rawValue, number: issued.seriesNumber, series: issued.series, sequence: issued.number,
                issueDate: String(format: "%04d-%02d-%02d", date.year, date.month, date.day), saleId: sale.saleId,
                storeId: sale.storeId, terminalId: sale.terminalId,
                issuer: .init(taxId: issuer.taxId, name: issuer.legalName, address: issuer.address), customer: draft.customer,
                lines: draft.lines,
                taxes: draft.breakdown.map {
                    .init(
                        rate: $0.rate, baseCents: $0.baseCents, taxCents: $0.taxCents, surchargeBasisPoints: $0.surchargeBasisPoints,
                        surchargeCents: $0.surchargeCents)
                },
                totalBaseCents: draft.totalBaseCents, totalTaxCents: draft.totalTaxCents, totalSurchargeCents: draft.totalSurchargeCents,
                totalCents: draft.totalCents, corrects: corrects?.number, fingerprint: issued.record.fingerprint,
                previousFingerprint: issued.record.previousFingerprint, generatedAt: issued.record.generatedAt,
                qrURL: issued.record.validationURL())
        }
        var built: (InvoiceIssuedV1, [UInt8])?
        let issued = try BillingStore.issue(draft, issueDate: date, generatedAt: generatedAt, on: connection) { issued in
            let made = document(issued)
            let body = Array(try encoder.encode(made))
            built = (made, body)
            return String(decoding: body, as: UTF8.self)
        }
        if issued.isNew, let built { return built }
        // A redelivered sale: the same invoice, announced again.
        let again = document(issued)
        return (again, Array(try encoder.encode(again)))
    }

    /// Locks the chains of every issuer in the batch, in one order, before any series: a transaction that locked a
    /// series and then waited for a chain could otherwise deadlock with one doing the opposite.
    private static func lockChains(of taxIds: [String], on connection: PostgresConnection) throws {
        guard !taxIds.isEmpty else { return }
        let array = BillingStore.textArray(Set(taxIds))
        try connection.query(
            "INSERT INTO chains (issuer_tax_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING", [array])
        try connection.query(
            "SELECT issuer_tax_id FROM chains WHERE issuer_tax_id = ANY($1::text[]) ORDER BY issuer_tax_id FOR UPDATE", [array])
    }

    private static func issuer(store: String, on connection: PostgresConnection) throws -> Issuer? {
        try connection.query(
            "SELECT i.tax_id, i.legal_name, i.address FROM store_issuers s JOIN issuers i ON i.tax_id = s.issuer_tax_id WHERE s.store_id = $1",
            [store]
        ).first.map { Issuer(taxId: try $0.decode(at: 0), legalName: try $0.decode(at: 1), address: try $0.decode(at: 2)) }
    }

    /// The sale's own calendar date, as its till printed it (the date part of `occurredAt`, which intake validated).
    static func issueDate(_ occurredAt: String) -> (year: Int, month: Int, day: Int) {
        let parts = occurredAt.prefix(10).split(separator: "-").compactMap { Int($0) }
        return (parts[0], parts[1], parts[2])
    }

    /// Now, ISO 8601 with its offset, as VERI*FACTU records want it.
    static func now() -> String {
        let text = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon))
        return text.hasSuffix("Z") ? String(text.dropLast()) + "+00:00" : text
    }
}
