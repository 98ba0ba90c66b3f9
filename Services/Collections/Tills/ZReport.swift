import Contracts

/// A till session's Z report, worked out from the documents billing issued for the terminal's sales in the session
/// (sales and returns), its cash movements and what was counted at the close. Pure: the same inputs give the same
/// report, which is stored as issued and never recomputed.
struct ZReport: Codable, Sendable, Equatable {
    struct Count: Codable, Sendable, Equatable {
        var count: Int64
        var totalCents: Int64
    }

    struct Method: Codable, Sendable, Equatable {
        var method: String
        var expectedCents: Int64
        var countedCents: Int64
        var differenceCents: Int64
    }

    struct Cash: Codable, Sendable, Equatable {
        var openingFloatCents: Int64
        var salesCents: Int64
        var paidInCents: Int64
        var paidOutCents: Int64
        var expectedCents: Int64
        var countedCents: Int64
        var differenceCents: Int64
    }

    struct Tax: Codable, Sendable, Equatable {
        var rate: Int64
        var baseCents: Int64
        var taxCents: Int64
        var surchargeCents: Int64

        /// One line per rate, highest first, with the sums of `taxes` at that rate.
        static func summed(_ taxes: [Tax]) -> [Tax] {
            var rates: [Int64: Tax] = [:]
            for tax in taxes {
                rates[tax.rate, default: Tax(rate: tax.rate, baseCents: 0, taxCents: 0, surchargeCents: 0)].baseCents += tax.baseCents
                rates[tax.rate]!.taxCents += tax.taxCents
                rates[tax.rate]!.surchargeCents += tax.surchargeCents
            }
            return rates.values.sorted { $0.rate > $1.rate }
        }
    }

    var zNumber: Int64
    var sessionId: String
    var storeId: String
    var terminalId: String
    var businessDate: String
    var cashierId: String?
    var openedAt: String
    var closedAt: String
    var issuedAt: String
    var sales: Count
    var returns: Count
    /// Cash, card and voucher: what the sales say each should hold, and what the till counted or printed.
    var methods: [Method]
    var cash: Cash
    /// Sold on account: not in the drawer, followed up as receivables.
    var onAccountCents: Int64
    var taxes: [Tax]
    var firstReceipt: Int64?
    var lastReceipt: Int64?
    var invoiceNumbers: [String]
    /// The sum of the methods' differences: negative when the till is short.
    var differenceCents: Int64
    /// The cash method's difference alone.
    var cashDifferenceCents: Int64 { methods.first { $0.method == "cash" }?.differenceCents ?? 0 }
    /// The receipts the terminal said it sent, and how many documents the report holds (fewer when the report was
    /// issued at the end of the settle time without them all).
    var declaredReceipts: Int64?
    var documents: Int64

    /// What the report is made from.
    struct Session: Sendable {
        var sessionId: String
        var storeId: String
        var terminalId: String
        var businessDate: String
        var cashierId: String?
        var openedAt: String
        var closedAt: String
        var openingFloatCents: Int64
        var countedCashCents: Int64
        var cardTotalCents: Int64
        var voucherTotalCents: Int64
        var declaredReceipts: Int64?
        /// Signed: paid in positive, paid out negative.
        var cashMoves: [Int64]
    }

    struct Document: Sendable, Equatable {
        var invoiceNumber: String
        var kind: String
        var receiptNumber: Int64
        var totalCents: Int64
        var payments: [InvoiceIssuedV1.Payment]
        var taxes: [Tax]
    }

    static let countedMethods = ["cash", "card", "voucher"]

    /// What `documents` were paid, summed by method.
    static func paidByMethod(_ documents: [Document]) -> [String: Int64] {
        var paid: [String: Int64] = [:]
        for document in documents {
            for payment in document.payments { paid[payment.method, default: 0] += payment.amountCents }
        }
        return paid
    }

    init(zNumber: Int64, issuedAt: String, session: Session, documents: [Document]) {
        self.zNumber = zNumber
        self.issuedAt = issuedAt
        sessionId = session.sessionId
        storeId = session.storeId
        terminalId = session.terminalId
        businessDate = session.businessDate
        cashierId = session.cashierId
        openedAt = session.openedAt
        closedAt = session.closedAt
        declaredReceipts = session.declaredReceipts
        self.documents = Int64(documents.count)

        let isReturn = { (document: Document) in document.kind.hasPrefix("R") }
        sales = Count(count: 0, totalCents: 0)
        returns = Count(count: 0, totalCents: 0)
        for document in documents {
            if isReturn(document) {
                returns.count += 1
                returns.totalCents += document.totalCents
            } else {
                sales.count += 1
                sales.totalCents += document.totalCents
            }
        }
        let paid = Self.paidByMethod(documents)
        taxes = Tax.summed(documents.flatMap(\.taxes))
        onAccountCents = paid["deferred", default: 0]
        let paidIn = session.cashMoves.filter { $0 > 0 }.reduce(0, +)
        let paidOut = -session.cashMoves.filter { $0 < 0 }.reduce(0, +)
        let expectedCash = session.openingFloatCents + paid["cash", default: 0] + paidIn - paidOut
        cash = Cash(
            openingFloatCents: session.openingFloatCents, salesCents: paid["cash", default: 0], paidInCents: paidIn, paidOutCents: paidOut,
            expectedCents: expectedCash, countedCents: session.countedCashCents, differenceCents: session.countedCashCents - expectedCash)
        let counted = ["cash": session.countedCashCents, "card": session.cardTotalCents, "voucher": session.voucherTotalCents]
        methods = Self.countedMethods.map { method in
            let expected = method == "cash" ? expectedCash : paid[method, default: 0]
            return Method(method: method, expectedCents: expected, countedCents: counted[method]!, differenceCents: counted[method]! - expected)
        }
        differenceCents = methods.reduce(0) { $0 + $1.differenceCents }
        let receipts = documents.map(\.receiptNumber)
        firstReceipt = receipts.min()
        lastReceipt = receipts.max()
        invoiceNumbers = documents.map(\.invoiceNumber).sorted { Self.numberOrder($0, $1) }
    }

    /// `<series>/<n>` in series order, then by number (not as text: `/10` after `/9`).
    static func numberOrder(_ a: String, _ b: String) -> Bool {
        let (seriesA, numberA) = split(a)
        let (seriesB, numberB) = split(b)
        return seriesA != seriesB ? seriesA < seriesB : numberA < numberB
    }

    private static func split(_ number: String) -> (Substring, Int64) {
        guard let slash = number.lastIndex(of: "/") else { return (Substring(number), 0) }
        return (number[..<slash], Int64(number[number.index(after: slash)...]) ?? 0)
    }

    /// The event announcing it.
    var reconciled: TillReconciledV1 {
        TillReconciledV1(
            sessionId: sessionId, storeId: storeId, terminalId: terminalId, zNumber: zNumber,
            methods: methods.map { .init(method: $0.method, expectedCents: $0.expectedCents, countedCents: $0.countedCents, differenceCents: $0.differenceCents) },
            differenceCents: differenceCents)
    }
}
