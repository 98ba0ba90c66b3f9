import AMQPClient
import Foundation
import Contracts

/// The calendar date an invoice is issued on: the sale's own date, as its till printed it (the date part of
/// `occurredAt`, which intake validated).
struct IssueDate: Sendable, Equatable {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `yyyy-mm-dd` that begins `occurredAt` (intake validated it), read digit by digit.
    init(occurredAt: String) {
        var fields = (0, 0, 0)
        var field = 0
        for byte in occurredAt.utf8.prefix(10) {
            if byte == UInt8(ascii: "-") {
                field += 1
                continue
            }
            let digit = Int(byte &- UInt8(ascii: "0"))
            switch field {
            case 0: fields.0 = fields.0 * 10 + digit
            case 1: fields.1 = fields.1 * 10 + digit
            default: fields.2 = fields.2 * 10 + digit
            }
        }
        self.init(year: fields.0, month: fields.1, day: fields.2)
    }

    /// `yyyy-mm-dd`, as the invoice document and PostgreSQL write it.
    var iso: String { Self.text((year, 4), (month, 2), (day, 2)) }
    /// `dd-mm-yyyy`, as VERI*FACTU records write it.
    var verifactu: String { Self.text((day, 2), (month, 2), (year, 4)) }

    /// The numbers with leading zeros to their widths, joined by `-` (ten characters: a small string, no allocation).
    private static func text(_ first: (Int, Int), _ second: (Int, Int), _ third: (Int, Int)) -> String {
        var bytes: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &bytes) { buffer in
            var index = 0
            for (position, (value, width)) in [first, second, third].enumerated() {
                if position > 0 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(rest % 10) + UInt8(ascii: "0")
                    rest /= 10
                }
                index += width
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<index]), as: UTF8.self)
        }
    }
}

/// The invoice a credit note corrects: one issued before, or one issued earlier in the same batch (whose number is
/// only known once the batch is numbered).
enum Correction: Sendable, Equatable {
    case invoice(RecordReference)
    case saleInBatch(String)
}

/// A store's issuer, and the generation of the store's series (one more each time the store changed issuer).
struct StoreIssuer: Sendable, Equatable {
    var issuer: Issuer
    var seriesGeneration: Int
}

/// A sale's invoice worked out and placed in its series, before it gets its number and its link in the chain.
///
/// Written once and then only read, by the plan, the numbered batch, the batch after it and the stored row: a class,
/// so that each of them holds it with one reference count instead of copying every text and list it carries.
final class PlannedInvoice: Sendable {
    let draft: InvoiceDraft
    let issueDate: IssueDate
    let series: String
    let corrects: Correction?
    /// For an F3: the simplified invoice it substitutes.
    let substitutes: RecordReference?
    /// The sale's trace context as the till sent it.
    let traceparent: String?

    init(
        draft: InvoiceDraft, issueDate: IssueDate, series: String, corrects: Correction?, substitutes: RecordReference? = nil,
        traceparent: String? = nil
    ) {
        self.draft = draft
        self.issueDate = issueDate
        self.series = series
        self.corrects = corrects
        self.substitutes = substitutes
        self.traceparent = traceparent
    }
}

/// What billing already holds for a sale: its invoice's kind and number, and the document announced for it.
struct KnownInvoice: Sendable {
    var kind: InvoiceKind
    var seriesNumber: String
    /// `dd-mm-yyyy`.
    var issueDate: String = ""
    /// Whose chain it is in (a store may have changed issuer since).
    var issuerTaxId: String = ""
    /// Nil only for invoices issued before documents were stored.
    var announcement: InvoiceAnnouncement?
    /// An F3's customer: a credit note that corrects it names them too.
    var customer: Party? = nil

    /// How a credit note that corrects it names it.
    var reference: RecordReference { RecordReference(issuerTaxId: issuerTaxId, seriesNumber: seriesNumber, issueDate: issueDate) }
}

/// Works out what a batch of recorded sales becomes, in memory, once the store has told which issuers, invoices and
/// surcharge customers exist: the invoices to issue in order, the invoices to announce again (redelivered sales),
/// and the deliveries to retry later (a store without an issuer, a return whose sale has no invoice yet).
///
/// What waits is sent back on its own, so that a return before its sale never holds up the other sales delivered
/// with it (and is never parked with them).
struct IssuancePlan: Sendable {
    let issuers: [String: StoreIssuer]
    let known: [String: KnownInvoice]
    let surchargeCustomers: Set<String>
    let fiscal: FiscalSettings

    private(set) var invoices: [PlannedInvoice] = []
    /// The series of ``invoices``.
    private(set) var series: Set<String> = []
    private(set) var announcedAgain: [InvoiceAnnouncement] = []
    private(set) var retries: [Rejection] = []
    /// The kind of every invoice planned so far, by sale, for the returns later in the batch.
    private var plannedKinds: [String: InvoiceKind] = [:]

    init(issuers: [String: StoreIssuer], known: [String: KnownInvoice], surchargeCustomers: Set<String>, fiscal: FiscalSettings) {
        self.issuers = issuers
        self.known = known
        self.surchargeCustomers = surchargeCustomers
        self.fiscal = fiscal
    }

    /// Plans one delivery. Sales that must wait (a store without an issuer, a return whose sale has no invoice yet)
    /// go back to wait as a `sale.recorded` of their own, while the rest of the delivery is issued now.
    mutating func add(_ event: SaleRecordedV1, deliveryTag: UInt64) {
        var waiting: [POSSaleV1] = []
        var why: (code: String, reason: String)?
        func wait(_ sale: POSSaleV1, _ code: String, _ reason: String) {
            waiting.append(sale)
            why = why ?? (code, reason)
        }
        for sale in event.sales {
            if let known = known[sale.saleId] {
                if let announcement = known.announcement { announcedAgain.append(announcement) }
                continue
            }
            if plannedKinds[sale.saleId] != nil { continue }  // the same sale twice in one batch: one invoice
            guard let storeIssuer = issuers[sale.storeId] else {
                wait(sale, "billing.no_issuer", "store \(sale.storeId) has no issuer yet (PUT /issuers/{taxId})")
                continue
            }
            var correcting: (kind: InvoiceKind, correction: Correction)?
            var recipient: Party?
            if let original = sale.returnOf?.saleId {
                // A ticket a full invoice substituted is corrected through that invoice (the F3), which is in force.
                if let invoice = known[Substitutions.derivedSaleId(of: original.lowercased())], invoice.kind == .substitute {
                    correcting = (invoice.kind, .invoice(invoice.reference))
                    recipient = invoice.customer
                } else if let invoice = known[original] {
                    correcting = (invoice.kind, .invoice(invoice.reference))
                } else if let kind = plannedKinds[original] {
                    correcting = (kind, .saleInBatch(original))
                } else {
                    wait(sale, "billing.original_not_invoiced", "sale \(original), which sale \(sale.saleId) returns, has no invoice yet")
                    continue
                }
            }
            var draft = InvoiceDraft(
                sale: sale, issuer: storeIssuer.issuer, correcting: correcting?.kind,
                equivalenceSurcharge: sale.customer?.taxId.map(surchargeCustomers.contains) ?? false,
                retailLimitCents: fiscal.retailLimitCents, rates: fiscal.rates)
            if let recipient { draft.customer = recipient }
            let date = IssueDate(occurredAt: sale.occurredAt)
            invoices.append(
                PlannedInvoice(
                    draft: draft, issueDate: date,
                    series: BillingStore.seriesCode(
                        storeId: sale.storeId, year: date.year, creditNote: draft.kind.isCreditNote, generation: storeIssuer.seriesGeneration),
                    corrects: correcting?.correction, traceparent: event.traceparents?[sale.saleId]))
            series.insert(invoices[invoices.count - 1].series)
            plannedKinds[sale.saleId] = draft.kind
        }
        guard let why else { return }
        // The whole delivery waits when none of it could be issued; otherwise only what must wait, as its own message.
        var remainder: [UInt8]?
        if waiting.count < event.sales.count {
            let ids = Set(waiting.map(\.saleId))
            let rest = SaleRecordedV1(
                storeId: event.storeId, recordedAt: event.recordedAt, sales: waiting, traceparents: event.traceparents?.filter { ids.contains($0.key) })
            remainder = (try? JSONEncoder().encode(rest)).map(Array.init)
        }
        retries.append(.retryLater(deliveryTag: deliveryTag, code: why.code, reason: why.reason, remainder: remainder))
    }
}
