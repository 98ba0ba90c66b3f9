import Contracts
import Testing

@testable import billing

@Suite("VERI*FACTU billing records")
struct BillingRecordTests {
    @Test("the published annulment vector: the annulment of 12345679/G34, chained to its record")
    func annulmentVector() {
        let annulment = VerifactuAnnulment(
            issuerTaxId: "89890001K", seriesNumber: "12345679/G34", issueDate: "01-01-2024",
            previousFingerprint: "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97", generatedAt: "2024-01-01T19:20:40+01:00")
        #expect(annulment.fingerprint == "177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68")
    }

    @Test("Spanish NIFs are checked by their control character", arguments: [
        ("89890001K", true), ("12345678Z", true), ("12345678A", false), ("X1234567L", true), ("Y1234567X", true),
        ("B12345674", true), ("B12345678", false), ("A58818501", true), ("P2807900B", true), ("P28079002", false),
        ("Q2826000H", true), ("K1234567L", true), ("B1234567", false), ("FR12345678901", false), ("", false),
    ])
    func nif(_ text: String, valid: Bool) {
        #expect(SpanishTaxId.isValid(text) == valid, "\(text)")
    }

    @Test("a series code and number fit NumSerieFactura's 60 characters for the longest store id, and a new issuer's series is new")
    func seriesCodes() {
        let longest = String(repeating: "S", count: 48)
        let code = BillingStore.seriesCode(storeId: longest, year: 2026, creditNote: true, generation: 999)
        #expect("\(code)/\(Int64.max)".count <= 60, "\(code)")
        #expect(code != BillingStore.seriesCode(storeId: longest.dropLast() + "T", year: 2026, creditNote: true, generation: 999))
        #expect(BillingStore.seriesCode(storeId: "S001", year: 2026, creditNote: false) == "S001-2026")
        #expect(BillingStore.seriesCode(storeId: "S001", year: 2026, creditNote: false, generation: 2) == "S001-2026-2")
        #expect(BillingStore.seriesCode(storeId: "S001", year: 2026, creditNote: true, generation: 2) == "R-S001-2026-2")
    }

    @Test("rates as the schema writes them", arguments: [(Int64(2100), "21"), (520, "5.2"), (50, "0.5"), (0, "0"), (1234, "12.34")])
    func rates(_ basisPoints: Int64, _ text: String) {
        #expect(BillingRecordXML.rate(basisPoints: basisPoints) == text)
    }

    @Test("text is escaped and cut to the schema's length in characters")
    func escaping() {
        var xml = XMLText()
        xml.element("sf:NombreRazon", "Hermanos López & Hijos <Cía>", limit: 120)
        #expect(xml.text == "<sf:NombreRazon>Hermanos López &amp; Hijos &lt;Cía&gt;</sf:NombreRazon>")
        var long = XMLText()
        long.element("x", String(repeating: "ñ", count: 130), limit: 120)
        #expect(long.text == "<x>" + String(repeating: "ñ", count: 120) + "</x>")
    }
}
