import Foundation

/// The agency's answers in its SOAP format: `RespuestaRegFactuSistemaFacturacion` (`RespuestaSuministro.xsd`), or a
/// SOAP fault for an envelope refused whole.
enum AgencyResponse {
    static let soap = "http://schemas.xmlsoap.org/soap/envelope/"
    static let response =
        "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/RespuestaSuministro.xsd"
    static let information =
        "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd"

    static func answer(_ answer: AgencyLedger.Answer, envelope: Envelope, waitSeconds: Int) -> String {
        let correct = answer.lines.filter { $0.state != "Incorrecto" }.count
        let state = correct == answer.lines.count ? "Correcto" : correct == 0 ? "Incorrecto" : "ParcialmenteCorrecto"
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <env:Envelope xmlns:env="\(soap)"><env:Header/><env:Body>\
            <tikR:RespuestaRegFactuSistemaFacturacion xmlns:tikR="\(response)" xmlns:tik="\(information)">
            """
        if let csv = answer.csv {
            xml += "<tikR:CSV>\(csv)</tikR:CSV>"
            xml += "<tikR:DatosPresentacion><tik:NIFPresentador>\(escape(envelope.issuerTaxId))</tik:NIFPresentador>"
            xml += "<tik:TimestampPresentacion>\(timestamp())</tik:TimestampPresentacion></tikR:DatosPresentacion>"
        }
        xml += "<tikR:Cabecera><tik:ObligadoEmision><tik:NombreRazon>\(escape(envelope.issuerName))</tik:NombreRazon>"
        xml += "<tik:NIF>\(escape(envelope.issuerTaxId))</tik:NIF></tik:ObligadoEmision></tikR:Cabecera>"
        xml += "<tikR:TiempoEsperaEnvio>\(waitSeconds)</tikR:TiempoEsperaEnvio><tikR:EstadoEnvio>\(state)</tikR:EstadoEnvio>"
        for line in answer.lines {
            let record = line.record
            let annulment = record.operation == .annulment
            xml += "<tikR:RespuestaLinea><tikR:IDFactura>"
            xml += "<tik:IDEmisorFactura>\(escape(record.issuerTaxId))</tik:IDEmisorFactura>"
            xml += "<tik:NumSerieFactura>\(escape(record.seriesNumber))</tik:NumSerieFactura>"
            xml += "<tik:FechaExpedicionFactura>\(escape(record.issueDate))</tik:FechaExpedicionFactura></tikR:IDFactura>"
            xml += "<tikR:Operacion><tik:TipoOperacion>\(annulment ? "Anulacion" : "Alta")</tik:TipoOperacion>"
            if record.correction { xml += "<tik:Subsanacion>S</tik:Subsanacion>" }
            if record.previousRejection != "N" { xml += "<tik:RechazoPrevio>\(escape(record.previousRejection))</tik:RechazoPrevio>" }
            xml += "</tikR:Operacion><tikR:EstadoRegistro>\(line.state)</tikR:EstadoRegistro>"
            if let fault = line.fault {
                xml += "<tikR:CodigoErrorRegistro>\(fault.rawValue)</tikR:CodigoErrorRegistro>"
                xml += "<tikR:DescripcionErrorRegistro>\(escape(fault.description))</tikR:DescripcionErrorRegistro>"
            }
            if let existing = line.duplicateOf {
                xml += "<tikR:RegistroDuplicado><tik:IdPeticionRegistroDuplicado>\(existing.requestId)</tik:IdPeticionRegistroDuplicado>"
                xml += "<tik:EstadoRegistroDuplicado>\(existing.annulled ? "Anulada" : "Correcta")</tik:EstadoRegistroDuplicado></tikR:RegistroDuplicado>"
            }
            xml += "</tikR:RespuestaLinea>"
        }
        xml += "</tikR:RespuestaRegFactuSistemaFacturacion></env:Body></env:Envelope>"
        return xml
    }

    /// A SOAP fault, as the agency answers an envelope it does not read at all: `Codigo[n].description`.
    static func fault(_ fault: AgencyFault, detail: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <env:Envelope xmlns:env="\(soap)"><env:Body><env:Fault><faultcode>env:Client</faultcode>\
        <faultstring>Codigo[\(fault.rawValue)].\(escape(fault.description)): \(escape(String(detail.prefix(1_000))))</faultstring>\
        </env:Fault></env:Body></env:Envelope>
        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Europe/Madrid")
        return formatter.string(from: Date())
    }
}
