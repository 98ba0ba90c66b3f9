import AMQPClient
import Contracts

/// An invoice or credit note as announced on `billing.events`: the JSON document stored with it, and where it goes.
struct InvoiceAnnouncement: Sendable {
    var kind: InvoiceKind
    var seriesNumber: String
    var storeId: String
    var terminalId: String
    /// The `billing.invoice.issued.v1` (or credit note) document, exactly as stored with the invoice.
    var body: [UInt8]
    /// The trace of the sale it came from, carried on (see ``TraceContext``).
    var traceparent: String? = nil

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
