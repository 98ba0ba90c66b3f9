import Contracts
import ServiceRuntime

/// A Z report as a page to print on the till's 80 mm roll: the session, sales and returns, what each method should
/// hold against what was counted, the breakdown per VAT rate, the receipts and invoices it covers, and the late
/// sales, flagged.
struct ZReportPage {
    var report: ZReport
    var late: TillRoutes.LateSales

    var html: String {
        var body = "<h1>Informe Z nº \(report.zNumber)</h1>"
        body += "<p>Tienda \(escape(report.storeId)) · Terminal \(escape(report.terminalId)) · Sesión \(escape(report.sessionId))"
        if let cashier = report.cashierId { body += "<br>Cajero \(escape(cashier))" }
        body += "<br>Apertura \(escape(report.openedAt))<br>Cierre \(escape(report.closedAt))<br>Emitido \(escape(report.issuedAt))</p>"
        body += table(["", "Nº", "Importe"], [
            ["Ventas", "\(report.sales.count)", Money.euros(report.sales.totalCents)],
            ["Devoluciones", "\(report.returns.count)", Money.euros(report.returns.totalCents)],
        ])
        body += "<h2>Medios de pago</h2>"
        body += table(["", "Esperado", "Contado", "Diferencia"], report.methods.map {
            [Self.methodNames[$0.method] ?? $0.method, Money.euros($0.expectedCents), Money.euros($0.countedCents), Money.euros($0.differenceCents)]
        })
        body += "<p>Fondo de caja \(Money.euros(report.cash.openingFloatCents)) · Entradas \(Money.euros(report.cash.paidInCents))"
        body += " · Salidas \(Money.euros(report.cash.paidOutCents))<br>A crédito \(Money.euros(report.onAccountCents))</p>"
        body += "<p class=\"difference\"><strong>Diferencia total \(Money.euros(report.differenceCents))</strong></p>"
        body += "<h2>IVA</h2>"
        body += table(["Tipo", "Base", "Cuota", "Recargo"], report.taxes.map {
            ["\($0.rate) %", Money.euros($0.baseCents), Money.euros($0.taxCents), Money.euros($0.surchargeCents)]
        })
        body += "<p>Tickets \(report.firstReceipt.map(String.init) ?? "–") a \(report.lastReceipt.map(String.init) ?? "–")"
        body += " · \(report.documents) documentos"
        if let declared = report.declaredReceipts, declared != report.documents { body += " (el terminal declaró \(declared))" }
        body += "<br>Facturas: \(report.invoiceNumbers.first.map(escape) ?? "–") … \(report.invoiceNumbers.last.map(escape) ?? "–")</p>"
        if late.count > 0 {
            body += "<h2 class=\"late\">⚠ Ventas llegadas tras el cierre: \(late.count) · \(Money.euros(late.totalCents))</h2>"
            body += "<p class=\"late\">En efectivo \(Money.euros(late.cashCents)) · diferencia de caja contándolas"
            body += " \(Money.euros(late.cashDifferenceCents))</p>"
            body += table(["Ticket", "Factura", "Importe"], late.documents.map { ["\($0.receiptNumber)", escape($0.invoiceNumber), Money.euros($0.totalCents)] })
        }
        return """
            <!doctype html><html lang="es"><head><meta charset="utf-8"><title>Informe Z \(report.zNumber) · \(escape(report.terminalId))</title>
            <style>body{font-family:monospace;width:72mm;margin:4mm auto;font-size:12px}h1{font-size:16px}h2{font-size:13px;margin:8px 0 2px}
            table{width:100%;border-collapse:collapse}td,th{text-align:right;padding:1px 2px}td:first-child,th:first-child{text-align:left}
            .late{color:#a00}@media print{body{margin:0}}</style></head><body>\(body)</body></html>
            """
    }

    static let methodNames = ["cash": "Efectivo", "card": "Tarjeta", "voucher": "Vale"]

    private func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><thead><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
    }

    private func escape(_ text: String) -> String { MarkupText.escaped(text) }
}
