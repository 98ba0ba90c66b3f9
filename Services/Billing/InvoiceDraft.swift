import Contracts

/// The legal entity that issues a store's invoices (a franchise has one per franchisee).
struct Issuer: Sendable, Equatable, Codable {
    var taxId: String
    var legalName: String
    var address: String
}

/// One invoice line as the sale had it, with its tax-included amount after discount (the contract's own line).
typealias InvoiceLine = InvoiceIssuedV1.Line

/// An invoice or credit note worked out from a recorded sale, before it is numbered and chained: the kind, the
/// parties, the lines, the breakdown per rate and the totals, which always equal the sale's total.
struct InvoiceDraft: Sendable, Equatable {
    var kind: InvoiceKind
    var saleId: String
    var storeId: String
    var terminalId: String
    var issuer: Issuer
    /// Only on a full invoice (or its credit note).
    var customer: POSSaleV1.Customer?
    var lines: [InvoiceLine]
    var payments: [InvoiceIssuedV1.Payment]
    var breakdown: [TaxLine]
    var totalBaseCents: Int64
    var totalTaxCents: Int64
    var totalSurchargeCents: Int64
    var totalCents: Int64
    /// The till's receipt, moment and session (see ``InvoiceIssuedV1/receiptNumber``); nil on a document not made
    /// from a till sale.
    var receiptNumber: Int64?
    var occurredAt: String?
    var tillSessionId: String?

    /// The draft for `sale`. A return needs the kind of the invoice it corrects (`correcting`); a sale does not.
    /// `equivalenceSurcharge` says whether the customer is under the recargo de equivalencia.
    init(
        sale: POSSaleV1, issuer: Issuer, correcting original: InvoiceKind? = nil, equivalenceSurcharge: Bool = false,
        retailLimitCents: Int64 = 300_000, rates: TaxRates = .spain
    ) {
        if let original, sale.returnOf != nil {
            kind = InvoiceKind.forReturn(correcting: original)
        } else {
            kind = InvoiceKind.forSale(customerTaxId: sale.customer?.taxId, totalCents: sale.total, retailLimitCents: retailLimitCents)
        }
        saleId = sale.saleId
        storeId = sale.storeId
        terminalId = sale.terminalId
        receiptNumber = sale.receiptNumber
        occurredAt = sale.occurredAt
        tillSessionId = sale.tillSessionId
        self.issuer = issuer
        customer = kind.namesRecipient ? sale.customer : nil
        payments = sale.payments.map { InvoiceIssuedV1.Payment(method: $0.method, amountCents: $0.amount) }
        lines = sale.lines.map { line in
            InvoiceLine(
                sku: line.sku, description: line.description, quantity: line.quantity, unitPriceCents: line.unitPrice,
                taxRate: line.taxRate, discountCents: line.discount, grossCents: line.quantity * line.unitPrice - line.discount)
        }
        breakdown = TaxBreakdown.compute(
            lines: lines.map { ($0.taxRate, $0.grossCents) }, equivalenceSurcharge: equivalenceSurcharge && customer != nil, rates: rates)
        totalBaseCents = breakdown.reduce(0) { $0 + $1.baseCents }
        totalTaxCents = breakdown.reduce(0) { $0 + $1.taxCents }
        totalSurchargeCents = breakdown.reduce(0) { $0 + $1.surchargeCents }
        totalCents = breakdown.reduce(0) { $0 + $1.grossCents }
    }
}
