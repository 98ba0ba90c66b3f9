import XMLTree

/// A submission (`RegFactuSistemaFacturacion`) as the agency reads it: the header and each record's fields, as
/// written (trimmed of surrounding spaces, as the agency's fingerprint rules say).
struct Envelope: Sendable {
    var issuerTaxId: String
    var issuerName: String
    /// `RemisionVoluntaria/Incidencia = S`: sent late, after a technical incident.
    var incident: Bool
    var records: [SubmittedRecord]

    /// Reads the body of a SOAP 1.1 envelope; nil when there is no `RegFactuSistemaFacturacion` in it.
    init?(soap: XMLTree) {
        guard let body = soap.child("Body"), let submission = body.child("RegFactuSistemaFacturacion"),
            let header = submission.child("Cabecera")
        else { return nil }
        issuerTaxId = header.text("ObligadoEmision", "NIF")?.trimmingWhitespace ?? ""
        issuerName = header.text("ObligadoEmision", "NombreRazon")?.trimmingWhitespace ?? ""
        incident = header.text("RemisionVoluntaria", "Incidencia")?.trimmingWhitespace == "S"
        records = submission.children("RegistroFactura").compactMap { entry in
            if let alta = entry.child("RegistroAlta") { return SubmittedRecord(alta: alta) }
            if let annulment = entry.child("RegistroAnulacion") { return SubmittedRecord(annulment: annulment) }
            return nil
        }
    }
}

/// One record of a submission.
struct SubmittedRecord: Sendable {
    enum Operation: String, Sendable { case alta = "Alta", annulment = "Anulacion" }

    var operation: Operation
    var issuerTaxId: String
    var seriesNumber: String
    var issueDate: String
    var kind: String
    var totalTax: String
    var totalAmount: String
    var correction: Bool
    var previousRejection: String
    var withoutPriorRecord: Bool
    var firstInChain: Bool
    var previousIssuerTaxId: String
    var previousSeriesNumber: String
    var previousIssueDate: String
    var previousFingerprint: String
    var generatedAt: String
    var fingerprint: String
    var tree: XMLTree

    var key: String { "\(issuerTaxId)|\(seriesNumber)|\(issueDate)" }

    /// Every element and text of the record, in order: two records with the same content have the same.
    var content: String {
        func flatten(_ node: XMLTree, into text: inout String) {
            text += "<\(node.name)>\(node.text.trimmingWhitespace)"
            for child in node.children { flatten(child, into: &text) }
            text += "</>"
        }
        var text = operation.rawValue
        flatten(tree, into: &text)
        return text
    }

    init(alta: XMLTree) {
        operation = .alta
        issuerTaxId = alta.text("IDFactura", "IDEmisorFactura")?.trimmingWhitespace ?? ""
        seriesNumber = alta.text("IDFactura", "NumSerieFactura")?.trimmingWhitespace ?? ""
        issueDate = alta.text("IDFactura", "FechaExpedicionFactura")?.trimmingWhitespace ?? ""
        kind = alta.text("TipoFactura")?.trimmingWhitespace ?? ""
        totalTax = alta.text("CuotaTotal")?.trimmingWhitespace ?? ""
        totalAmount = alta.text("ImporteTotal")?.trimmingWhitespace ?? ""
        correction = alta.text("Subsanacion")?.trimmingWhitespace == "S"
        previousRejection = alta.text("RechazoPrevio")?.trimmingWhitespace ?? "N"
        withoutPriorRecord = false
        (firstInChain, previousIssuerTaxId, previousSeriesNumber, previousIssueDate, previousFingerprint) = Self.chaining(alta)
        generatedAt = alta.text("FechaHoraHusoGenRegistro")?.trimmingWhitespace ?? ""
        fingerprint = alta.text("Huella")?.trimmingWhitespace ?? ""
        tree = alta
    }

    init(annulment: XMLTree) {
        operation = .annulment
        issuerTaxId = annulment.text("IDFactura", "IDEmisorFacturaAnulada")?.trimmingWhitespace ?? ""
        seriesNumber = annulment.text("IDFactura", "NumSerieFacturaAnulada")?.trimmingWhitespace ?? ""
        issueDate = annulment.text("IDFactura", "FechaExpedicionFacturaAnulada")?.trimmingWhitespace ?? ""
        kind = ""
        totalTax = ""
        totalAmount = ""
        correction = false
        previousRejection = annulment.text("RechazoPrevio")?.trimmingWhitespace ?? "N"
        withoutPriorRecord = annulment.text("SinRegistroPrevio")?.trimmingWhitespace == "S"
        (firstInChain, previousIssuerTaxId, previousSeriesNumber, previousIssueDate, previousFingerprint) = Self.chaining(annulment)
        generatedAt = annulment.text("FechaHoraHusoGenRegistro")?.trimmingWhitespace ?? ""
        fingerprint = annulment.text("Huella")?.trimmingWhitespace ?? ""
        tree = annulment
    }

    private static func chaining(_ record: XMLTree) -> (Bool, String, String, String, String) {
        guard let chain = record.child("Encadenamiento") else { return (false, "", "", "", "") }
        if chain.text("PrimerRegistro")?.trimmingWhitespace == "S" { return (true, "", "", "", "") }
        let previous = chain.child("RegistroAnterior")
        return (
            false, previous?.text("IDEmisorFactura")?.trimmingWhitespace ?? "", previous?.text("NumSerieFactura")?.trimmingWhitespace ?? "",
            previous?.text("FechaExpedicionFactura")?.trimmingWhitespace ?? "", previous?.text("Huella")?.trimmingWhitespace ?? ""
        )
    }
}
