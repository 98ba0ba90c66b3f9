import Crypto

/// The fingerprint (`Huella`, `TipoHuella` 01) the agency recomputes: SHA-256, upper-case hex, of the record's
/// fields joined as the specification lists them. Written here apart from billing's, as the agency's own is.
enum AgencyFingerprint {
    static func of(_ record: SubmittedRecord) -> String {
        let previous = record.firstInChain ? "" : record.previousFingerprint
        let text =
            switch record.operation {
            case .alta:
                "IDEmisorFactura=\(record.issuerTaxId)&NumSerieFactura=\(record.seriesNumber)&FechaExpedicionFactura=\(record.issueDate)"
                    + "&TipoFactura=\(record.kind)&CuotaTotal=\(record.totalTax)&ImporteTotal=\(record.totalAmount)"
                    + "&Huella=\(previous)&FechaHoraHusoGenRegistro=\(record.generatedAt)"
            case .annulment:
                "IDEmisorFacturaAnulada=\(record.issuerTaxId)&NumSerieFacturaAnulada=\(record.seriesNumber)"
                    + "&FechaExpedicionFacturaAnulada=\(record.issueDate)&Huella=\(previous)&FechaHoraHusoGenRegistro=\(record.generatedAt)"
            }
        let digits: [Character] = Array("0123456789ABCDEF")
        var hex = ""
        for byte in SHA256.hash(data: Array(text.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return hex
    }
}
