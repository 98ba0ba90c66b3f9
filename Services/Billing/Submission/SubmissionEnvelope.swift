/// The SOAP 1.1 envelope of a submission (`RegFactuSistemaFacturacion`, `SuministroLR.xsd`): the header naming the
/// issuer (and, for records that waited through an outage, `RemisionVoluntaria/Incidencia = S`), then the stored
/// records as they were generated.
enum SubmissionEnvelope {
    /// The most records the agency takes in one envelope.
    static let maximumRecords = 1000
    static let soap = "http://schemas.xmlsoap.org/soap/envelope/"

    static func text(issuerTaxId: String, issuerName: String, late: Bool, records: [SubmissionStore.PendingRecord]) -> String {
        var xml = XMLText()
        xml.open("soapenv:Envelope", attributes: [("xmlns:soapenv", soap)])
        xml.open("soapenv:Header")
        xml.close("soapenv:Header")
        xml.open("soapenv:Body")
        xml.open("sfLR:RegFactuSistemaFacturacion", attributes: [("xmlns:sfLR", VerifactuNamespace.submission), ("xmlns:sf", VerifactuNamespace.information)])
        xml.open("sfLR:Cabecera")
        xml.open("sf:ObligadoEmision")
        xml.element("sf:NombreRazon", issuerName, limit: 120)
        xml.element("sf:NIF", issuerTaxId)
        xml.close("sf:ObligadoEmision")
        if late {
            xml.open("sf:RemisionVoluntaria")
            xml.element("sf:Incidencia", "S")
            xml.close("sf:RemisionVoluntaria")
        }
        xml.close("sfLR:Cabecera")
        var text = xml.text
        for record in records {
            text += "<sfLR:RegistroFactura>"
            text += record.xml
            text += "</sfLR:RegistroFactura>"
        }
        text += "</sfLR:RegFactuSistemaFacturacion></soapenv:Body></soapenv:Envelope>"
        return #"<?xml version="1.0" encoding="UTF-8"?>"# + text
    }
}
