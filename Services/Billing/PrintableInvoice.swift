import Contracts
import ServiceRuntime
import Foundation

/// An invoice as a print-ready HTML page, on an 80 mm till roll (`ticket`) or on A4: what RD 1619/2012 asks of a
/// simplified invoice (number and series, date, the issuer's NIF and name, the goods, the rate applied, "IVA
/// incluido", the total) and of a full one (also the issuer's address, the customer's name, NIF and address, base,
/// rate and tax per rate), with the tax agency's QR code under "QR tributario:" and the legend "VERI*FACTU".
struct PrintableInvoice {
    enum Width: String { case ticket, a4 }

    var document: InvoiceIssuedV1
    var qr: QRCode
    var width: Width

    private static let titles = [
        "F1": "Factura", "F2": "Factura simplificada", "R1": "Factura rectificativa", "R5": "Factura rectificativa (simplificada)",
        "F3": "Factura (en sustitución de factura simplificada)",
    ]

    var html: String {
        let simplified = document.kind == "F2" || document.kind == "R5"
        var body = ""
        body += "<h1>\(Self.escape(Self.titles[document.kind] ?? "Factura"))</h1>"
        body += "<p class=\"number\">Nº <strong>\(Self.escape(document.number))</strong> · Fecha \(Self.escape(Self.spanishDate(document.issueDate)))</p>"
        body += "<p class=\"issuer\"><strong>\(Self.escape(document.issuer.name ?? ""))</strong><br>NIF \(Self.escape(document.issuer.taxId ?? ""))"
        if let address = document.issuer.address { body += "<br>\(Self.escape(address))" }
        body += "<br>Tienda \(Self.escape(document.storeId)) · Terminal \(Self.escape(document.terminalId))</p>"
        if let customer = document.customer, !simplified {
            body += "<p class=\"customer\">Cliente: <strong>\(Self.escape(customer.name ?? ""))</strong><br>NIF \(Self.escape(customer.taxId ?? ""))"
            if let address = customer.address { body += "<br>\(Self.escape(address))" }
            body += "</p>"
        }
        if let corrects = document.corrects { body += "<p class=\"corrects\">Rectifica la factura \(Self.escape(corrects))</p>" }
        if let substitutes = document.substitutes {
            body += "<p class=\"substitutes\">Sustituye a la factura simplificada \(Self.escape(substitutes))</p>"
        }
        body += "<table class=\"lines\"><thead><tr><th>Descripción</th><th>Cant.</th><th>Precio</th><th>IVA</th><th>Importe</th></tr></thead><tbody>"
        for line in document.lines {
            body += "<tr><td>\(Self.escape(line.description))</td><td>\(line.quantity)</td><td>\(Self.euros(line.unitPriceCents))</td>"
            body += "<td>\(line.taxRate) %</td><td>\(Self.euros(line.grossCents))</td></tr>"
        }
        body += "</tbody></table>"
        body += "<table class=\"taxes\"><thead><tr><th>Tipo</th><th>Base</th><th>Cuota</th>"
        body += document.totalSurchargeCents != 0 ? "<th>Recargo</th></tr></thead><tbody>" : "</tr></thead><tbody>"
        for tax in document.taxes {
            body += "<tr><td>IVA \(tax.rate) %</td><td>\(Self.euros(tax.baseCents))</td><td>\(Self.euros(tax.taxCents))</td>"
            if document.totalSurchargeCents != 0 {
                body += "<td>\(BillingRecordXML.rate(basisPoints: tax.surchargeBasisPoints)) %: \(Self.euros(tax.surchargeCents))</td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table>"
        body += "<p class=\"total\">Total \(simplified ? "(IVA incluido)" : "") <strong>\(Self.euros(document.totalCents))</strong></p>"
        body += "<div class=\"qr\"><p>QR tributario:</p>\(qr.svg)<p class=\"legend\">VERI*FACTU</p></div>"
        let page = width == .ticket ? "80mm 297mm" : "A4"
        let sheet = width == .ticket ? "72mm" : "180mm"
        return """
            <!DOCTYPE html>
            <html lang="es"><head><meta charset="utf-8"><title>\(Self.escape(document.number))</title>
            <style>
            @page { size: \(page); margin: 4mm; }
            body { font-family: sans-serif; font-size: \(width == .ticket ? "9pt" : "10pt"); width: \(sheet); margin: 0 auto; }
            h1 { font-size: 1.2em; margin: 0 0 2mm; }
            table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
            th, td { text-align: left; padding: 0.5mm 1mm; border-bottom: 0.2mm solid #ccc; }
            td:nth-child(n+2), th:nth-child(n+2) { text-align: right; }
            .total { font-size: 1.2em; text-align: right; }
            .qr { text-align: center; margin-top: 4mm; }
            .qr svg { width: 37mm; height: 37mm; }
            .qr p { margin: 1mm 0; }
            .legend { font-weight: bold; }
            </style></head>
            <body>\(body)</body></html>
            """
    }

    static func euros(_ cents: Int64) -> String { Money.euros(cents) }

    /// `2026-11-29` as `29-11-2026`.
    static func spanishDate(_ iso: String) -> String {
        let parts = iso.split(separator: "-")
        return parts.count == 3 ? "\(parts[2])-\(parts[1])-\(parts[0])" : iso
    }

    static func escape(_ text: String) -> String { MarkupText.escaped(text) }
}
