import Contracts
import Foundation
import PostgresClient

/// A billing record made good after the agency refused it (or accepted it with errors): a new record of the same
/// invoice, chained at the end of the issuer's chain like any other, with `Subsanacion = S` and, after a refusal,
/// `RechazoPrevio = S` (the specification's flags for a corrected record). The invoice itself does not change; the
/// record may correct its recipient. The stored records stay as they were.
enum RecordCorrection {
    struct Recipient: Sendable, Decodable {
        var taxId: String
        var name: String?
    }

    enum Outcome: Sendable, Equatable {
        case corrected(position: Int64, fingerprint: String)
        case unknown
        /// Its last record is not refused or accepted with errors (pending, accepted, or the invoice is cancelled).
        case nothingToCorrect(state: String)
        /// A simplified invoice or its credit note never names a recipient.
        case recipientNotAllowed
    }

    static func correct(
        series: String, number: Int64, recipient: Recipient?, generatedAt: String, on connection: PostgresConnection
    ) throws -> Outcome {
        guard let invoice = try connection.query(
            """
            SELECT issuer_tax_id, kind, to_char(issue_date, 'DD-MM-YYYY'), tax_cents, total_cents
            FROM invoices WHERE series = $1 AND number = $2
            """, [series, number]).first
        else { return .unknown }
        let issuerTaxId: String = try invoice.decode(at: 0)
        guard let kind = InvoiceKind(rawValue: try invoice.decode(at: 1)) else { return .unknown }
        if recipient != nil, kind == .simplified || kind == .correctingSimplified { return .recipientNotAllowed }
        let head = try BillingStore.lockChains(of: [issuerTaxId], on: connection)[issuerTaxId] ?? .init()
        // The invoice's latest record (its own or a correction) and the agency's answer to it.
        guard let latest = try connection.query(
            """
            SELECT r.record, coalesce(s.state, 'pending'), r.cancelled FROM (
                SELECT chain_position, record, false AS cancelled FROM invoices WHERE series = $1 AND number = $2
                UNION ALL SELECT chain_position, record, false FROM corrections WHERE series = $1 AND number = $2
                UNION ALL SELECT chain_position, '', true FROM cancellations WHERE series = $1 AND number = $2
            ) r LEFT JOIN submission_states s ON s.issuer_tax_id = $3 AND s.chain_position = r.chain_position
            ORDER BY r.chain_position DESC LIMIT 1
            """, [series, number, issuerTaxId]).first
        else { return .unknown }
        let state: String = try latest.decode(at: 1)
        if try latest.decode(Bool.self, at: 2) { return .nothingToCorrect(state: "cancelled") }
        guard state == "Incorrecto" || state == "AceptadoConErrores" else { return .nothingToCorrect(state: state) }
        let record = VerifactuRecord(
            issuerTaxId: issuerTaxId, seriesNumber: "\(series)/\(number)", issueDate: try invoice.decode(at: 2), kind: kind,
            totalTax: Money.decimal(try invoice.decode(at: 3)), totalAmount: Money.decimal(try invoice.decode(at: 4)),
            previousFingerprint: head.lastFingerprint, generatedAt: generatedAt)
        let fingerprint = record.fingerprint
        let xml = rewrite(
            try latest.decode(at: 0), refused: state == "Incorrecto", recipient: recipient, previous: head.previous(issuerTaxId: issuerTaxId),
            generatedAt: generatedAt, fingerprint: fingerprint)
        let position = head.records + 1
        try connection.query(
            """
            INSERT INTO corrections (issuer_tax_id, chain_position, series, number, previous_fingerprint, fingerprint, generated_at, record)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [issuerTaxId, position, series, number, head.lastFingerprint, fingerprint, generatedAt, xml])
        try connection.query(
            """
            UPDATE chains SET last_fingerprint = $2, records = records + 1, last_series_number = $3, last_issue_date = $4
            WHERE issuer_tax_id = $1
            """, [issuerTaxId, fingerprint, record.seriesNumber, record.issueDate])
        return .corrected(position: position, fingerprint: fingerprint)
    }

    /// The record `original` (as billing wrote it) made into its correction: the flags, the recipient if given, the
    /// new link, generation time and fingerprint.
    static func rewrite(
        _ original: String, refused: Bool, recipient: Recipient?, previous: RecordReference?, generatedAt: String, fingerprint: String
    ) -> String {
        var xml = original
        remove("sf:Subsanacion", from: &xml)
        remove("sf:RechazoPrevio", from: &xml)
        if let type = xml.range(of: "<sf:TipoFactura>") {
            xml.insert(contentsOf: "<sf:Subsanacion>S</sf:Subsanacion><sf:RechazoPrevio>\(refused ? "S" : "N")</sf:RechazoPrevio>", at: type.lowerBound)
        }
        if let recipient {
            var block = XMLText()
            block.open("sf:Destinatarios")
            block.open("sf:IDDestinatario")
            block.element("sf:NombreRazon", recipient.name ?? recipient.taxId, limit: 120)
            BillingRecordXML.identify(recipient.taxId, into: &block)
            block.close("sf:IDDestinatario")
            block.close("sf:Destinatarios")
            remove("sf:FacturaSinIdentifDestinatarioArt61d", from: &xml)
            if !replace("sf:Destinatarios", with: block.text, in: &xml), let breakdown = xml.range(of: "<sf:Desglose>") {
                xml.insert(contentsOf: block.text, at: breakdown.lowerBound)
            }
        }
        var chain = XMLText()
        BillingRecordXML.chain(previous, into: &chain)
        replace("sf:Encadenamiento", with: chain.text, in: &xml)
        replace("sf:FechaHoraHusoGenRegistro", with: "<sf:FechaHoraHusoGenRegistro>\(generatedAt)</sf:FechaHoraHusoGenRegistro>", in: &xml)
        // The record's own fingerprint is its last Huella (the chain's link holds another).
        if let open = xml.range(of: "<sf:Huella>", options: .backwards), let close = xml.range(of: "</sf:Huella>", options: .backwards) {
            xml.replaceSubrange(open.lowerBound..<close.upperBound, with: "<sf:Huella>\(fingerprint)</sf:Huella>")
        }
        return xml
    }

    @discardableResult
    private static func replace(_ element: String, with text: String, in xml: inout String) -> Bool {
        guard let open = xml.range(of: "<\(element)>"), let close = xml.range(of: "</\(element)>", range: open.upperBound..<xml.endIndex) else {
            return false
        }
        xml.replaceSubrange(open.lowerBound..<close.upperBound, with: text)
        return true
    }

    private static func remove(_ element: String, from xml: inout String) { replace(element, with: "", in: &xml) }
}
