import AMQPClient
import Contracts

/// An invoice or credit note as announced on `billing.events`: the JSON document stored with it, and where it goes.
/// A class, as ``PlannedInvoice`` is: the batch's invoices, the messages per store and a later redelivery hold one.
final class InvoiceAnnouncement: Sendable {
    let kind: InvoiceKind
    let seriesNumber: String
    let storeId: String
    let terminalId: String
    /// The `billing.invoice.issued.v1` (or credit note) document, exactly as stored with the invoice.
    let body: [UInt8]
    /// The trace of the sale it came from, carried on (see ``TraceContext``).
    let traceparent: String?

    init(kind: InvoiceKind, seriesNumber: String, storeId: String, terminalId: String, body: [UInt8], traceparent: String? = nil) {
        self.kind = kind
        self.seriesNumber = seriesNumber
        self.storeId = storeId
        self.terminalId = terminalId
        self.body = body
        self.traceparent = traceparent
    }

    /// The messages that announce `announcements`: one `billing.invoices.issued.v1` per store, its documents in the
    /// order given, and with `settings.perInvoice` each document's own message after them.
    static func messages(_ announcements: [InvoiceAnnouncement], settings: AnnouncementSettings, timestamp: Int64) -> [OutgoingMessage] {
        var stores: [String] = []
        var ofStore: [String: [InvoiceAnnouncement]] = [:]
        for announcement in announcements {
            if ofStore[announcement.storeId] == nil { stores.append(announcement.storeId) }
            ofStore[announcement.storeId, default: []].append(announcement)
        }
        var messages = stores.map { store in
            let documents = ofStore[store]!
            var traceparents: [String: String] = [:]
            for document in documents { traceparents[document.seriesNumber] = document.traceparent }
            return InvoicesIssuedV1(storeId: store, documents: documents.map { $0.body[...] }, traceparents: traceparents)
                .message(firstNumber: documents[0].seriesNumber, timestamp: timestamp, traceparent: documents[0].traceparent)
        }
        if settings.perInvoice { messages += announcements.map { $0.message(timestamp: timestamp) } }
        return messages
    }

    /// The per-invoice form: this document alone, under `invoice.issued.<store>.<terminal>` (or a credit note's).
    func message(timestamp: Int64) -> OutgoingMessage {
        OutgoingMessage(
            exchange: Exchanges.billingEvents.name,
            routingKey: (kind.isCreditNote ? "credit_note.issued." : "invoice.issued.") + "\(storeId).\(terminalId)", body: body,
            properties: MessageProperties(
                type: kind.isCreditNote ? InvoiceIssuedV1.creditNoteType : InvoiceIssuedV1.invoiceType, messageId: seriesNumber,
                timestamp: timestamp
            ).tracing(traceparent))
    }
}

extension InvoiceIssuedV1 {
    /// The document of a numbered and chained invoice.
    init(_ invoice: PlannedInvoice, series: String, number: Int64, record: VerifactuRecord, fingerprint: String, corrects: String?) {
        let draft = invoice.draft
        self.init(
            kind: draft.kind.rawValue, number: record.seriesNumber, series: series, sequence: number, issueDate: invoice.issueDate.iso,
            saleId: draft.saleId, storeId: draft.storeId, terminalId: draft.terminalId,
            issuer: .init(taxId: draft.issuer.taxId, name: draft.issuer.legalName, address: draft.issuer.address),
            customer: draft.customer, lines: draft.lines,
            taxes: draft.breakdown.map {
                .init(
                    rate: $0.rate, baseCents: $0.baseCents, taxCents: $0.taxCents, surchargeBasisPoints: $0.surchargeBasisPoints,
                    surchargeCents: $0.surchargeCents)
            },
            totalBaseCents: draft.totalBaseCents, totalTaxCents: draft.totalTaxCents, totalSurchargeCents: draft.totalSurchargeCents,
            totalCents: draft.totalCents, corrects: corrects, fingerprint: fingerprint,
            previousFingerprint: record.previousFingerprint, generatedAt: record.generatedAt, qrURL: record.validationURL(),
            payments: draft.payments, substitutes: invoice.substitutes?.seriesNumber, receiptNumber: draft.receiptNumber,
            occurredAt: draft.occurredAt, tillSessionId: draft.tillSessionId)
    }
}
