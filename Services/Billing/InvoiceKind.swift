/// The VERI*FACTU invoice types Trastienda issues.
enum InvoiceKind: String, Sendable, Codable, CaseIterable {
    /// Full invoice, with the customer's tax id.
    case full = "F1"
    /// Simplified invoice (a till receipt), without customer data, up to the retail limit.
    case simplified = "F2"
    /// Credit note correcting a full invoice.
    case correctingFull = "R1"
    /// Credit note correcting a simplified invoice.
    case correctingSimplified = "R5"
    /// Full invoice issued afterwards for a simplified one, which it substitutes (the customer asked for it).
    case substitute = "F3"

    var isCreditNote: Bool { self == .correctingFull || self == .correctingSimplified }
    /// Whether it names its recipient (a full invoice, its substitute, or the credit note of one).
    var namesRecipient: Bool { self == .full || self == .substitute || self == .correctingFull }

    /// The kind for a sale: simplified when the customer gave no tax id and the total is within the retail limit
    /// (3,000.00 EUR tax included by default), full otherwise.
    static func forSale(customerTaxId: String?, totalCents: Int64, retailLimitCents: Int64 = 300_000) -> InvoiceKind {
        if let taxId = customerTaxId, !taxId.isEmpty { return .full }
        return totalCents.magnitude <= retailLimitCents.magnitude ? .simplified : .full
    }

    /// The kind for a return: a credit note of the kind that corrects the original invoice.
    static func forReturn(correcting original: InvoiceKind) -> InvoiceKind {
        switch original {
        case .full, .correctingFull, .substitute: .correctingFull
        case .simplified, .correctingSimplified: .correctingSimplified
        }
    }
}
