import AMQPClient
import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TrastiendaTesting

@testable import billing

/// Runs `zbarimg --raw -q` on `image`; returns what it decoded.
func decodeQR(_ image: [UInt8], suffix: String) async throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString.prefix(8)).\(suffix)")
    try Data(image).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let (_, output) = try await ExternalTool.run("zbarimg", ["--raw", "-q", file.path], missing: "zbarimg is missing: `make test` installs zbar-tools")
    return output.split(separator: "\n").first { $0.hasPrefix("http") }.map(String.init) ?? output.trimmingCharacters(in: .newlines)
}

@Suite("The ticket's QR code")
struct BillingQRTests {
    @Test("the PNG of a ticket's QR decodes to exactly its validation URL, at 37 mm; the SVG is 37 mm; an unknown invoice is a 404")
    func qrDecodes() async throws {
        try await RunningService.with(Billing.definition) { service in
            #expect(try await service.request(
                "PUT", "/issuers/89890001K", body: #"{"legalName":"Trastienda Norte SL","address":"C/ Real 1","stores":["S001"]}"#).status == 200)
            let sale = BillingRecordIntegrationTests.sale(lines: [(21, 1_234), (10, 99)])
            let intake = AMQPConnection(configuration: service.amqp.named("test-intake"), topology: Topology(exchanges: [Exchanges.salesEvents]), logger: TestInfrastructure.logger)
            try await intake.publish(try BillingRecordIntegrationTests.announcement([sale]))
            await intake.close()
            #expect(await eventually(timeout: .seconds(30)) { (try? await service.request("GET", "/invoices/S001-2026/1"))?.status == 200 })
            let document = try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data(try await service.request("GET", "/invoices/S001-2026/1").body.utf8))
            #expect(document.qrURL.hasPrefix("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=S001-2026%2F1"))

            var request = URLRequest(url: URL(string: "http://localhost:\(service.port)/invoices/S001-2026/1/qr.png")!)
            request.httpMethod = "GET"
            request.setValue("Bearer \(try await TestTokens.admin())", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "image/png")
            let png = Array(data)
            #expect(try await decodeQR(png, suffix: "png") == document.qrURL, "zbarimg reads back the validation URL")
            // Its physical size, from the PNG's pHYs chunk: 30–40 mm.
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let phys = try #require(png.indices.dropLast(12).first { Array(png[$0..<($0 + 4)]) == Array("pHYs".utf8) })
            let perMetre = png[(phys + 4)..<(phys + 8)].reduce(0) { $0 << 8 | Int($1) }
            let millimetres = Double(width) / Double(perMetre) * 1000
            #expect((30...40).contains(millimetres), "\(millimetres) mm")

            let svg = try await service.request("GET", "/invoices/S001-2026/1/qr.svg")
            #expect(svg.status == 200 && svg.contentType == "image/svg+xml" && svg.body.contains(#"width="37mm""#))
            #expect(try await service.request("GET", "/invoices/S001-2026/9/qr.png").status == 404)

            // The printable ticket: what a simplified invoice must show, the QR under its caption, the legend.
            let ticket = try await service.request("GET", "/invoices/S001-2026/1.html")
            #expect(ticket.status == 200 && ticket.contentType?.hasPrefix("text/html") == true)
            for required in ["Factura simplificada", "S001-2026/1", "29-11-2026", "Trastienda Norte SL", "NIF 89890001K", "IVA 21 %", "IVA 10 %",
                             "IVA incluido", "13,33 €", "QR tributario:", "VERI*FACTU", "size: 80mm 297mm", svg.body] {
                #expect(ticket.body.contains(required), "the ticket shows \(required)")
            }
            #expect(ticket.body.range(of: "QR tributario:")!.lowerBound < ticket.body.range(of: "<svg")!.lowerBound, "the caption above the QR")
            // Printed as a browser prints it (headless Chromium to PDF): the text is there, and the QR, rendered at
            // 300 dpi, decodes to the validation URL and measures 30–40 mm.
            let printed = try await PrintedPage(html: ticket.body)
            defer { printed.remove() }
            for required in ["Factura simplificada", "S001-2026/1", "NIF 89890001K", "IVA incluido", "13,33", "QR tributario:", "VERI*FACTU"] {
                #expect(printed.text.contains(required), "the PDF shows \(required): \(printed.text)")
            }
            let symbol = try await printed.qrCode(dotsPerInch: 300)
            #expect(symbol.text == document.qrURL, "the QR in the PDF reads back the validation URL")
            let printedMillimetres = Double(symbol.sidePixels) / 300 * 25.4
            #expect((30...40).contains(printedMillimetres), "the QR in the PDF measures \(printedMillimetres) mm")

            let a4 = try await service.request("GET", "/invoices/S001-2026/1.html?width=a4")
            #expect(a4.status == 200 && a4.body.contains("size: A4"))
            #expect(try await service.request("GET", "/invoices/S001-2026/1.html?width=letter").status == 400)
            #expect(try await service.request("GET", "/invoices/S001-2026/9.html").status == 404)
        }
    }
}
