import AMQPClient
import ByteText
import Contracts
import Crypto
import Foundation
import PostgresClient
import ServiceRuntime

/// A full invoice asked for afterwards for a simplified one: an F3 that substitutes the ticket
/// (`FacturasSustituidas`), for the customer given, with the ticket's lines and amounts, numbered in the store's
/// invoice series and chained like any invoice, and announced as `billing.invoice.issued.v1` through the outbox. The
/// ticket stays as it was (it is not cancelled); a ticket is substituted once.
enum Substitutions {
    enum Outcome: Sendable, Equatable {
        case issued(seriesNumber: String, document: String)
        case unknown
        case notSimplified(kind: String)
        case cancelled
        case alreadySubstituted(seriesNumber: String)
        /// The ticket's issuer no longer invoices for its store, and the ticket's year is over: no open series.
        case noOpenSeries
    }

    static func substitute(
        series: String, number: Int64, customer: POSSaleV1.Customer, generatedAt: String, fiscal: FiscalSettings,
        announcements: AnnouncementSettings, on connection: PostgresConnection
    ) throws -> Outcome {
        guard let row = try connection.query(
            "SELECT kind, issuer_tax_id, sale_id::text, document, extract(year FROM issue_date)::bigint FROM invoices WHERE series = $1 AND number = $2",
            [series, number]).first
        else { return .unknown }
        let kind: String = try row.decode(at: 0)
        guard kind == InvoiceKind.simplified.rawValue else { return .notSimplified(kind: kind) }
        let issuerTaxId: String = try row.decode(at: 1)
        // One substitute per ticket: its sale id is derived from the ticket's, and sale ids are unique.
        let saleId = derivedSaleId(of: try row.decode(at: 2))
        let heads = try BillingStore.lockChains(of: [issuerTaxId], on: connection)
        if let existing = try connection.query("SELECT series || '/' || number FROM invoices WHERE sale_id = $1::uuid", [saleId]).first {
            return .alreadySubstituted(seriesNumber: try existing.decode(at: 0))
        }
        if try !connection.query("SELECT 1 FROM cancellations WHERE series = $1 AND number = $2", [series, number]).isEmpty { return .cancelled }
        let ticket = try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data(try row.decode(String.self, at: 3).utf8))
        guard let issuerRow = try connection.query("SELECT legal_name, address FROM issuers WHERE tax_id = $1", [issuerTaxId]).first else {
            return .unknown
        }
        let issuer = Issuer(taxId: issuerTaxId, legalName: try issuerRow.decode(at: 0), address: try issuerRow.decode(at: 1))
        let issueDate = IssueDate(occurredAt: generatedAt)
        let seriesCode: String
        if Int64(issueDate.year) == (try row.decode(Int64.self, at: 4)) {
            seriesCode = series
        } else {
            guard let current = try BillingStore.issuers(of: [ticket.storeId], on: connection)[ticket.storeId], current.issuer.taxId == issuerTaxId
            else { return .noOpenSeries }
            seriesCode = BillingStore.seriesCode(
                storeId: ticket.storeId, year: issueDate.year, creditNote: false, generation: current.seriesGeneration)
        }
        // The ticket's sale, for the customer: the same lines and amounts (no surcharge: the amount paid stays).
        let sale = POSSaleV1(
            saleId: saleId, storeId: ticket.storeId, terminalId: ticket.terminalId, receiptNumber: ticket.sequence, occurredAt: generatedAt,
            cashierId: "", currency: "EUR", customer: customer,
            lines: ticket.lines.map {
                .init(sku: $0.sku, description: $0.description, quantity: $0.quantity, unitPrice: $0.unitPriceCents, taxRate: $0.taxRate, discount: $0.discountCents)
            },
            payments: (ticket.payments ?? [.init(method: "card", amountCents: ticket.totalCents)]).map { .init(method: $0.method, amount: $0.amountCents) },
            total: ticket.totalCents, returnOf: nil)
        var draft = InvoiceDraft(sale: sale, issuer: issuer, retailLimitCents: fiscal.retailLimitCents, rates: fiscal.rates)
        draft.kind = .substitute
        draft.customer = customer
        // Not a till sale: the ticket it substitutes is already in its till's Z report.
        (draft.receiptNumber, draft.occurredAt, draft.tillSessionId) = (nil, nil, nil)
        let planned = PlannedInvoice(
            draft: draft, issueDate: issueDate, series: seriesCode, corrects: nil,
            substitutes: RecordReference(issuerTaxId: issuerTaxId, seriesNumber: ticket.number, issueDate: IssueDate(occurredAt: ticket.issueDate).verifactu))
        guard let issued = try BillingStore.issue([planned], generatedAt: generatedAt, heads: heads, system: fiscal.system, on: connection).first else {
            return .unknown
        }
        for message in InvoiceAnnouncement.messages([issued.announcement], settings: announcements, timestamp: 0) {
            try Outbox.add(
                exchange: message.exchange, routingKey: message.routingKey, type: message.properties.type ?? InvoicesIssuedV1.messageType,
                body: String(decoding: message.body, as: UTF8.self), on: connection)
        }
        return .issued(seriesNumber: issued.seriesNumber, document: String(decoding: issued.announcement.body, as: UTF8.self))
    }

    /// A UUID made from the ticket's sale id, the same every time: the first 16 bytes of SHA-256 of `F3:<sale id>`,
    /// marked as a name-based UUID (version 5, RFC 4122 variant), in lower case. Every return's sale asks for it.
    static func derivedSaleId(of saleId: String) -> String {
        var input = Array("F3:".utf8)
        input.append(contentsOf: saleId.utf8)
        let (high, low) = SHA256.hash(data: input).withUnsafeBytes { digest in
            (UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        let version = (high & ~0xF000) | 0x5000  // byte 6's high half
        let variant = (low & ~(0xC0 << 56)) | (0x80 << 56)  // byte 8's two high bits
        return UUIDText.uuid(high: version, low: variant).lowercasedText
    }
}
