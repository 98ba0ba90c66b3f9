import Contracts
import Testing

@testable import collections

/// A Z report worked out from a session and its documents, without a database.
@Suite("Z reports")
struct ZReportTests {
    static let session = ZReport.Session(
        sessionId: "Z1", storeId: "S001", terminalId: "S001-T01", businessDate: "2026-12-01", cashierId: "C1", openedAt: "2026-12-01T08:00:00+01:00",
        closedAt: "2026-12-01T21:00:00+01:00", openingFloatCents: 15_000, countedCashCents: 15_000 + 1_000 - 300 + 5_000 - 2_000 - 500,
        cardTotalCents: 2_000, voucherTotalCents: 0, declaredReceipts: 3, cashMoves: [5_000, -2_000])

    static let documents = [
        ZReport.Document(
            invoiceNumber: "S001-2026/10", kind: "F2", receiptNumber: 12, totalCents: 1_000, payments: [.init(method: "cash", amountCents: 1_000)],
            taxes: [.init(rate: 21, baseCents: 826, taxCents: 174, surchargeCents: 0)]),
        ZReport.Document(
            invoiceNumber: "S001-2026/9", kind: "F1", receiptNumber: 11, totalCents: 2_500,
            payments: [.init(method: "card", amountCents: 2_000), .init(method: "deferred", amountCents: 500)],
            taxes: [.init(rate: 10, baseCents: 2_273, taxCents: 227, surchargeCents: 0)]),
        ZReport.Document(
            invoiceNumber: "S001-R-2026/1", kind: "R5", receiptNumber: 13, totalCents: -300, payments: [.init(method: "cash", amountCents: -300)],
            taxes: [.init(rate: 21, baseCents: -248, taxCents: -52, surchargeCents: 0)]),
    ]

    @Test("cash expected is the float, the cash sales less cash refunds, and the cash moved; card and voucher what the sales took")
    func methods() {
        let report = ZReport(zNumber: 4, issuedAt: "2026-12-01T20:00:01Z", session: Self.session, documents: Self.documents)
        #expect(report.cash == .init(
            openingFloatCents: 15_000, salesCents: 700, paidInCents: 5_000, paidOutCents: 2_000, expectedCents: 18_700, countedCents: 18_200,
            differenceCents: -500))
        #expect(report.methods.map(\.method) == ["cash", "card", "voucher"])
        #expect(report.methods.map(\.differenceCents) == [-500, 0, 0])
        #expect(report.differenceCents == -500 && report.onAccountCents == 500)
    }

    @Test("sales and returns apart, rates summed (credit notes lower them), receipts' range, invoices in number order")
    func totals() {
        let report = ZReport(zNumber: 4, issuedAt: "2026-12-01T20:00:01Z", session: Self.session, documents: Self.documents)
        #expect(report.sales == .init(count: 2, totalCents: 3_500) && report.returns == .init(count: 1, totalCents: -300))
        #expect(report.taxes == [.init(rate: 21, baseCents: 578, taxCents: 122, surchargeCents: 0), .init(rate: 10, baseCents: 2_273, taxCents: 227, surchargeCents: 0)])
        #expect(report.firstReceipt == 11 && report.lastReceipt == 13)
        #expect(report.invoiceNumbers == ["S001-2026/9", "S001-2026/10", "S001-R-2026/1"])
        #expect(report.reconciled.differenceCents == -500 && report.reconciled.zNumber == 4)
    }

    @Test("a session with no sales: the float is what the drawer should hold")
    func empty() {
        var session = Self.session
        session.cashMoves = []
        session.countedCashCents = 15_000
        session.cardTotalCents = 0
        let report = ZReport(zNumber: 1, issuedAt: "", session: session, documents: [])
        #expect(report.differenceCents == 0 && report.firstReceipt == nil && report.invoiceNumbers.isEmpty)
    }
}
