import Contracts

/// Where some issuers' chains and their series end: what a batch is numbered from, and what it leaves.
struct ChainEnds: Sendable, Equatable {
    var heads: [String: BillingStore.ChainHead] = [:]
    /// The next number of each series; a series absent here does not exist yet and starts at 1.
    var next: [String: Int64] = [:]
}

/// A batch's planned invoices with their numbers and their links in the chains, worked out in memory from where the
/// chains and series began (``start``) to where they end (``end``), before anything is stored.
struct NumberedBatch: Sendable {
    struct Invoice: Sendable {
        var invoice: PlannedInvoice
        var number: Int64
        var record: VerifactuRecord
        var fingerprint: String
        var position: Int64
        /// For a credit note: the invoice it corrects (issued before, or earlier in the batch).
        var corrects: RecordReference?
        /// The record before this one in the issuer's chain.
        var previous: RecordReference?
    }

    let start: ChainEnds
    private(set) var end: ChainEnds
    private(set) var invoices: [Invoice] = []
    /// The issuers and series the batch's invoices are in.
    private(set) var issuers: Set<String> = []
    private(set) var series: Set<String> = []

    init(_ planned: [PlannedInvoice], generatedAt: String, from start: ChainEnds) {
        self.start = start
        end = start
        invoices.reserveCapacity(planned.count)
        var invoiceOfSale: [String: RecordReference] = [:]
        for invoice in planned {
            let draft = invoice.draft
            let number = end.next[invoice.series] ?? 1
            end.next[invoice.series] = number + 1
            let head = end.heads[draft.issuer.taxId, default: BillingStore.ChainHead()]
            let record = VerifactuRecord(
                issuerTaxId: draft.issuer.taxId, seriesNumber: "\(invoice.series)/\(number)", issueDate: invoice.issueDate.verifactu,
                kind: draft.kind, totalTax: Money.decimal(draft.totalTaxCents + draft.totalSurchargeCents),
                totalAmount: Money.decimal(draft.totalCents), previousFingerprint: head.lastFingerprint, generatedAt: generatedAt)
            let fingerprint = record.fingerprint
            let position = head.records + 1
            end.heads[draft.issuer.taxId] = BillingStore.ChainHead(
                lastFingerprint: fingerprint, records: position, lastSeriesNumber: record.seriesNumber, lastIssueDate: record.issueDate)
            invoiceOfSale[draft.saleId] = RecordReference(issuerTaxId: draft.issuer.taxId, seriesNumber: record.seriesNumber, issueDate: record.issueDate)
            let corrects: RecordReference? =
                switch invoice.corrects {
                case .invoice(let reference): reference
                case .saleInBatch(let saleId): invoiceOfSale[saleId]
                case nil: nil
                }
            invoices.append(
                Invoice(
                    invoice: invoice, number: number, record: record, fingerprint: fingerprint, position: position, corrects: corrects,
                    previous: head.previous(issuerTaxId: draft.issuer.taxId)))
            issuers.insert(draft.issuer.taxId)
            series.insert(invoice.series)
        }
    }

    /// Those of the batch's invoices whose sales are among `saleIds`, as a later batch looks them up (a return of
    /// one of its sales), by sale.
    func known(among saleIds: Set<String>) -> [String: KnownInvoice] {
        var known: [String: KnownInvoice] = [:]
        for numbered in invoices where saleIds.contains(numbered.invoice.draft.saleId) {
            known[numbered.invoice.draft.saleId] = KnownInvoice(
                kind: numbered.record.kind, seriesNumber: numbered.record.seriesNumber, issueDate: numbered.record.issueDate,
                issuerTaxId: numbered.record.issuerTaxId)
        }
        return known
    }
}
