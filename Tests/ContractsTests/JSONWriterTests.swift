import Contracts
import Foundation
import Testing

@Suite("Documents written by JSONWriter")
struct JSONWriterTests {
    func invoice(customer: Party?, corrects: String?, description: String) -> InvoiceIssuedV1 {
        InvoiceIssuedV1(
            kind: "R1", number: "R-S001-2026/7", series: "R-S001-2026", sequence: 7, issueDate: "2026-11-29",
            saleId: "5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a11", storeId: "S001", terminalId: "S001-T01",
            issuer: Party(taxId: "89890001K", name: "Trastienda \"Norte\" SL", address: "C/ Real 1\nBurgos"), customer: customer,
            lines: [
                .init(sku: "DET-005", description: description, quantity: -2, unitPriceCents: 1_210, taxRate: 21, discountCents: 0, grossCents: -2_420),
                .init(sku: "PAN-1", description: "Pan", quantity: -1, unitPriceCents: 104, taxRate: 4, discountCents: 4, grossCents: -100),
            ],
            taxes: [.init(rate: 21, baseCents: -2_000, taxCents: -420, surchargeBasisPoints: 520, surchargeCents: -104)],
            totalBaseCents: -2_096, totalTaxCents: -424, totalSurchargeCents: -104, totalCents: Int64.min, corrects: corrects,
            fingerprint: "3C464DAF", previousFingerprint: "", generatedAt: "2026-11-29T10:00:00+01:00",
            qrURL: "https://example.test/q?nif=89890001K&importe=-25.20",
            payments: customer == nil ? nil : [.init(method: "deferred", amountCents: -2_520)])
    }

    @Test("JSONDecoder reads back exactly what was written: escapes, negatives, optional members present and absent",
          arguments: [
            (Party(taxId: "B12345678", name: "Bar Pepe", address: nil), "S001-2026/3", "Café \"molido\" \\ 250 g\t😀 \u{01} /"),
            (nil, nil, "plain"),
          ] as [(Party?, String?, String)])
    func roundTrip(customer: Party?, corrects: String?, description: String) throws {
        let document = invoice(customer: customer, corrects: corrects, description: description)
        let bytes = document.json()
        #expect(try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data(bytes)) == document)
        #expect(try JSONSerialization.jsonObject(with: Data(bytes)) is [String: Any])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""customer""#) == (customer != nil))
        #expect(!text.contains("null"), "absent members are left out, as JSONEncoder leaves them out")
    }
}
