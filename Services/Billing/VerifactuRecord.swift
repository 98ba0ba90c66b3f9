import ByteText
import Crypto
import Foundation

/// What a VERI*FACTU record's fingerprint covers, and the fingerprint itself.
///
/// The fingerprint is the SHA-256, in upper-case hexadecimal, of the UTF-8 text
/// `IDEmisorFactura=<nif>&NumSerieFactura=<series/number>&FechaExpedicionFactura=<dd-mm-yyyy>&TipoFactura=<kind>`
/// `&CuotaTotal=<tax>&ImporteTotal=<total>&Huella=<previous fingerprint, empty for the first>`
/// `&FechaHoraHusoGenRegistro=<ISO 8601 with offset>`. Each issuer has one chain: every record names the one before.
struct VerifactuRecord: Sendable, Equatable {
    var issuerTaxId: String
    /// Series and number as written on the invoice, for example `12345678/G33`.
    var seriesNumber: String
    /// `dd-mm-yyyy`.
    var issueDate: String
    var kind: InvoiceKind
    /// Amounts exactly as written in the record (for example `12.35`); see ``Money/decimal(_:)``.
    var totalTax: String
    var totalAmount: String
    /// Empty for an issuer's first record.
    var previousFingerprint: String
    /// When the record was generated, ISO 8601 with offset, for example `2024-01-01T19:20:30+01:00`.
    var generatedAt: String

    var canonicalText: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// The canonical text as UTF-8, written in one buffer (the fingerprint hashes these bytes).
    var canonicalBytes: [UInt8] {
        Self.canonical([
            ("IDEmisorFactura=", issuerTaxId), ("&NumSerieFactura=", seriesNumber), ("&FechaExpedicionFactura=", issueDate),
            ("&TipoFactura=", kind.rawValue), ("&CuotaTotal=", totalTax), ("&ImporteTotal=", totalAmount),
            ("&Huella=", previousFingerprint), ("&FechaHoraHusoGenRegistro=", generatedAt),
        ])
    }

    var fingerprint: String { Self.fingerprint(of: canonicalBytes) }

    /// `name=value` pairs as one run of UTF-8 (each name carries its `&`).
    static func canonical(_ pairs: [(StaticString, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        for (name, value) in pairs {
            name.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: value.utf8)
        }
        return bytes
    }

    /// SHA-256 of `text`'s UTF-8, in upper-case hexadecimal (`TipoHuella` 01).
    static func fingerprint(of text: String) -> String { fingerprint(of: Array(text.utf8)) }

    static func fingerprint(of bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        return String(unsafeUninitializedCapacity: 64) { hex in
            var index = 0
            for byte in digest {
                hex[index] = HexDigits.digit(byte >> 4, upperCase: true)
                hex[index + 1] = HexDigits.digit(byte & 0x0F, upperCase: true)
                index += 2
            }
            return 64
        }
    }

    /// The tax agency's validation URL printed as the ticket's QR code, each value URL-encoded.
    func validationURL(base: String = "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR") -> String {
        var url: [UInt8] = []
        url.reserveCapacity(base.utf8.count + 128)
        url.append(contentsOf: base.utf8)
        for (name, value) in [("?nif=", issuerTaxId), ("&numserie=", seriesNumber), ("&fecha=", issueDate), ("&importe=", totalAmount)] {
            url.append(contentsOf: name.utf8)
            Self.appendPercentEncoded(value, to: &url)
        }
        return String(decoding: url, as: UTF8.self)
    }

    /// RFC 3986's unreserved characters as they are, every other byte as `%XX`.
    private static func appendPercentEncoded(_ value: String, to url: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                url.append(byte)
            default:
                url.append(UInt8(ascii: "%"))
                url.append(HexDigits.digit(byte >> 4, upperCase: true))
                url.append(HexDigits.digit(byte & 0x0F, upperCase: true))
            }
        }
    }
}

/// What an annulment record's (`RegistroAnulacion`) fingerprint covers: the cancelled invoice, the previous record's
/// fingerprint and when the annulment was generated. It shares the issuer's chain with the billing records.
struct VerifactuAnnulment: Sendable, Equatable {
    var issuerTaxId: String
    var seriesNumber: String
    /// `dd-mm-yyyy`: the cancelled invoice's date.
    var issueDate: String
    var previousFingerprint: String
    var generatedAt: String

    var canonicalText: String {
        "IDEmisorFacturaAnulada=\(issuerTaxId)&NumSerieFacturaAnulada=\(seriesNumber)&FechaExpedicionFacturaAnulada=\(issueDate)"
            + "&Huella=\(previousFingerprint)&FechaHoraHusoGenRegistro=\(generatedAt)"
    }

    var fingerprint: String { VerifactuRecord.fingerprint(of: canonicalText) }
}
