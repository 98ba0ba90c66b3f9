import Contracts
import Testing

@testable import billing

@Suite("VERI*FACTU fingerprints")
struct VerifactuFingerprintTests {
    let first = VerifactuRecord(
        issuerTaxId: "89890001K", seriesNumber: "12345678/G33", issueDate: "01-01-2024", kind: .full, totalTax: "12.35",
        totalAmount: "123.45", previousFingerprint: "", generatedAt: "2024-01-01T19:20:30+01:00")

    @Test("the first published test vector")
    func firstVector() {
        #expect(first.fingerprint == "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60")
    }

    @Test("the second published test vector, chained to the first")
    func secondVector() {
        var second = first
        second.seriesNumber = "12345679/G34"
        second.previousFingerprint = first.fingerprint
        second.generatedAt = "2024-01-01T19:20:35+01:00"
        #expect(second.fingerprint == "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97")
    }

    @Test("any change to a hashed field changes the fingerprint")
    func tamperingShows() {
        var tampered = first
        tampered.totalAmount = "123.46"
        #expect(tampered.fingerprint != first.fingerprint)
    }

    @Test("the QR validation URL encodes every value")
    func validationURL() {
        #expect(
            first.validationURL()
                == "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678%2FG33&fecha=01-01-2024&importe=123.45")
    }
}

@Suite("Tax breakdown from tax-included lines")
struct TaxBreakdownTests {
    @Test("mixed rates: each rate's base and tax add up to its gross, and the rates to the total")
    func mixedRates() {
        let lines = TaxBreakdown.compute(
            lines: [(10, 798), (21, 600), (4, 447), (10, 189), (0, 500)], equivalenceSurcharge: false)
        #expect(lines.map(\.rate) == [21, 10, 4, 0])
        #expect(lines[0] == TaxLine(rate: 21, baseCents: 496, taxCents: 104, surchargeBasisPoints: 0, surchargeCents: 0, grossCents: 600))
        #expect(lines[1] == TaxLine(rate: 10, baseCents: 897, taxCents: 90, surchargeBasisPoints: 0, surchargeCents: 0, grossCents: 987))
        #expect(lines[2] == TaxLine(rate: 4, baseCents: 430, taxCents: 17, surchargeBasisPoints: 0, surchargeCents: 0, grossCents: 447))
        #expect(lines[3].baseCents == 500 && lines[3].taxCents == 0)
        let parts: Int64 = lines.reduce(0) { $0 + $1.baseCents + $1.taxCents }
        let total: Int64 = 798 + 600 + 447 + 189 + 500
        #expect(parts == total)
    }

    @Test("rounding edges: half a cent goes away from zero", arguments: [
        // (gross, rate, base): 121 × 100 / 121 = 100 exactly; 1 × 100 / 110 = 0.91 → 1; 105 × 100 / 110 = 95.45 → 95;
        // 2 × 100 / 104 = 1.92 → 2; 13 × 100 / 104 = 12.5 → 13 (a half goes up); −12.5 → −13 (and down for a return)
        (Int64(121), Int64(21), Int64(100)), (1, 10, 1), (105, 10, 95), (2, 4, 2), (13, 4, 13), (-13, 4, -13), (0, 21, 0),
    ])
    func rounding(gross: Int64, rate: Int64, base: Int64) {
        let line = TaxBreakdown.compute(lines: [(rate, gross)], equivalenceSurcharge: false)[0]
        #expect(line.baseCents == base)
        #expect(line.baseCents + line.taxCents == gross)
    }

    @Test("equivalence surcharge: 5.2 % on 21 %, 1.4 % on 10 %, 0.5 % on 4 %")
    func surcharge() {
        let lines = TaxBreakdown.compute(lines: [(21, 12_620), (10, 11_140), (4, 10_450)], equivalenceSurcharge: true)
        // 12,620 / 1.262 = 10,000; 11,140 / 1.114 = 10,000; 10,450 / 1.045 = 10,000
        #expect(lines[0] == TaxLine(rate: 21, baseCents: 10_000, taxCents: 2_100, surchargeBasisPoints: 520, surchargeCents: 520, grossCents: 12_620))
        #expect(lines[1] == TaxLine(rate: 10, baseCents: 10_000, taxCents: 1_000, surchargeBasisPoints: 140, surchargeCents: 140, grossCents: 11_140))
        #expect(lines[2] == TaxLine(rate: 4, baseCents: 10_000, taxCents: 400, surchargeBasisPoints: 50, surchargeCents: 50, grossCents: 10_450))
    }

    @Test("a return's breakdown is its sale's with the sign turned")
    func returnMirrorsSale() {
        let sale = TaxBreakdown.compute(lines: [(21, 1_999), (10, 333), (4, 13)], equivalenceSurcharge: true)
        let refund = TaxBreakdown.compute(lines: [(21, -1_999), (10, -333), (4, -13)], equivalenceSurcharge: true)
        for (original, returned) in zip(sale, refund) {
            #expect(returned.baseCents == -original.baseCents)
            #expect(returned.taxCents == -original.taxCents)
            #expect(returned.surchargeCents == -original.surchargeCents)
        }
    }

    @Test("amounts are written with two decimals", arguments: [
        (Int64(12_345), "123.45"), (5, "0.05"), (-5, "-0.05"), (300_000, "3000.00"), (0, "0.00"), (-123_456, "-1234.56"),
        (100, "1.00"), (-100, "-1.00"), (99, "0.99"), (-10, "-0.10"), (Int64.max, "92233720368547758.07"),
        (Int64.min, "-92233720368547758.08"),
    ])
    func decimal(cents: Int64, text: String) {
        #expect(Money.decimal(cents) == text)
    }

    @Test("every amount from -100.00 to 100.00 is written as euros, a point and two digits of cents")
    func decimalRange() {
        for cents in Int64(-10_000)...10_000 {
            let magnitude = abs(cents)
            let expected = (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (magnitude % 100 < 10 ? "0" : "") + "\(magnitude % 100)"
            #expect(Money.decimal(cents) == expected)
        }
    }
}

@Suite("Invoice kinds")
struct InvoiceKindTests {
    @Test("a tax id asks for a full invoice; without one, simplified up to the retail limit")
    func saleKinds() {
        #expect(InvoiceKind.forSale(customerTaxId: "B12345678", totalCents: 798) == .full)
        #expect(InvoiceKind.forSale(customerTaxId: nil, totalCents: 798) == .simplified)
        #expect(InvoiceKind.forSale(customerTaxId: nil, totalCents: 300_000) == .simplified)
        #expect(InvoiceKind.forSale(customerTaxId: nil, totalCents: 300_001) == .full)
        #expect(InvoiceKind.forSale(customerTaxId: "", totalCents: 798) == .simplified)
    }

    @Test("a credit note corrects with R1 a full invoice and with R5 a simplified one")
    func returnKinds() {
        #expect(InvoiceKind.forReturn(correcting: .full) == .correctingFull)
        #expect(InvoiceKind.forReturn(correcting: .simplified) == .correctingSimplified)
        #expect(InvoiceKind.correctingFull.rawValue == "R1")
        #expect(InvoiceKind.correctingSimplified.rawValue == "R5")
        #expect(InvoiceKind.correctingSimplified.isCreditNote)
    }
}

@Suite("Invoice drafts from sales")
struct InvoiceDraftTests {
    let issuer = Issuer(taxId: "89890001K", legalName: "Trastienda Norte SL", address: "C/ Real 1, Burgos")

    func sale(customer: POSSaleV1.Customer? = nil, sign: Int64 = 1, returnOf: String? = nil) -> POSSaleV1 {
        let lines = [
            POSSaleV1.Line(sku: "CAF-001", description: "Café", quantity: 2 * sign, unitPrice: 399, taxRate: 10, discount: 0),
            POSSaleV1.Line(sku: "DET-005", description: "Detergente", quantity: 1 * sign, unitPrice: 650, taxRate: 21, discount: 50 * sign),
        ]
        let total = lines.reduce(0) { $0 + $1.quantity * $1.unitPrice - $1.discount }
        return POSSaleV1(
            saleId: "5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a11", storeId: "S001", terminalId: "S001-T01", receiptNumber: 1,
            occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: customer, lines: lines,
            payments: [.init(method: "card", amount: total)], total: total, returnOf: returnOf.map { .init(saleId: $0) })
    }

    @Test("a till sale becomes a simplified invoice whose totals equal the sale's")
    func simplified() {
        let draft = InvoiceDraft(sale: sale(), issuer: issuer)
        #expect(draft.kind == .simplified)
        #expect(draft.customer == nil)
        #expect(draft.totalCents == 1_398)
        #expect(draft.totalBaseCents + draft.totalTaxCents == 1_398)
        #expect(draft.breakdown.map(\.rate) == [21, 10])
    }

    @Test("a customer with a tax id gets a full invoice with the customer on it, and the surcharge when under it")
    func full() {
        let customer = POSSaleV1.Customer(taxId: "B12345678", name: "Talleres Norte SL", address: "C/ Mayor 1")
        let draft = InvoiceDraft(sale: sale(customer: customer), issuer: issuer, equivalenceSurcharge: true)
        #expect(draft.kind == .full)
        #expect(draft.customer == customer)
        #expect(draft.totalSurchargeCents > 0)
        #expect(draft.totalBaseCents + draft.totalTaxCents + draft.totalSurchargeCents == draft.totalCents)
        #expect(draft.totalCents == 1_398)
    }

    @Test("a return becomes a credit note of the kind that corrects its invoice, mirroring it")
    func creditNote() {
        let original = InvoiceDraft(sale: sale(), issuer: issuer)
        let credit = InvoiceDraft(sale: sale(sign: -1, returnOf: UUIDs.other), issuer: issuer, correcting: .simplified)
        #expect(credit.kind == .correctingSimplified)
        #expect(credit.totalCents == -original.totalCents)
        #expect(credit.totalTaxCents == -original.totalTaxCents)
        let fullCredit = InvoiceDraft(sale: sale(sign: -1, returnOf: UUIDs.other), issuer: issuer, correcting: .full)
        #expect(fullCredit.kind == .correctingFull)
    }

    enum UUIDs {
        static let other = "0b0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a12"
    }
}

@Suite("Fiscal settings from the environment")
struct FiscalSettingsTests {
    @Test("Spain's values by default; both settings can be set; bad values are refused by name")
    func settings() throws {
        let defaults = try FiscalSettings.load(environment: [:])
        #expect(defaults.retailLimitCents == 300_000)
        #expect(defaults.rates.surchargeBasisPoints[21] == 520)
        let custom = try FiscalSettings.load(environment: [
            "TRASTIENDA_BILLING_RETAIL_LIMIT_CENTS": "40000", "TRASTIENDA_BILLING_SURCHARGE_RATES": "21:520,10:140,5:62,0:0",
        ])
        #expect(custom.retailLimitCents == 40_000)
        #expect(custom.rates.surchargeBasisPoints[5] == 62)
        #expect(throws: (any Error).self) { try FiscalSettings.load(environment: ["TRASTIENDA_BILLING_SURCHARGE_RATES": "21=5.2"]) }
        #expect(throws: (any Error).self) { try FiscalSettings.load(environment: ["TRASTIENDA_BILLING_RETAIL_LIMIT_CENTS": "-1"]) }
    }
}

@Suite("An invoice's issue date")
struct IssueDateTests {
    @Test("read from the sale's time as the till wrote it, written with leading zeros both ways")
    func readAndWritten() {
        let date = IssueDate(occurredAt: "2026-01-05T23:59:59+01:00")
        #expect(date == IssueDate(year: 2026, month: 1, day: 5))
        #expect(date.iso == "2026-01-05")
        #expect(date.verifactu == "05-01-2026")
        #expect(IssueDate(occurredAt: "2027-12-31T00:00:00-14:00").verifactu == "31-12-2027")
        #expect(IssueDate(year: 999, month: 10, day: 10).iso == "0999-10-10")
    }
}

@Suite("A substitute's sale id")
struct DerivedSaleIdTests {
    @Test("derived from the ticket's sale id as it always was (stored F3s are found again by it)", arguments: [
        ("359d928d-c5cf-4b4f-85cd-6fe657eb0e96", "ebbf62e2-2f96-5034-a667-a8ca0e462ea5"),
        ("00000000-0000-4000-8000-000000000000", "89a242f9-b4b9-55c2-b860-91eb0ab070de"),
    ])
    func pinned(ticket: String, substitute: String) {
        #expect(Substitutions.derivedSaleId(of: ticket) == substitute)
    }
}
