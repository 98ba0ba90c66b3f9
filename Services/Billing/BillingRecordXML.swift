import Contracts
import ServiceRuntime
import Synchronization

/// The software that produces the billing records (`SistemaInformatico`), from configuration: who makes it, what it
/// is called, its version and this installation's number.
struct InvoicingSystem: Sendable, Equatable {
    var producerName = "Trastienda"
    /// The producer's NIF (9 characters).
    var producerTaxId = "B00000000"
    var name = "Trastienda"
    /// Two characters the producer gives the system.
    var id = "TR"
    var version = "0.2"
    var installationNumber = "1"
    /// Whether this installation invoices for more than one issuer (a chain of franchises does).
    var multipleIssuers = true
}

/// Another record of the issuer's chain, as a record names it (`RegistroAnterior`, `IDFacturaRectificada`).
struct RecordReference: Sendable, Equatable {
    var issuerTaxId: String
    var seriesNumber: String
    /// `dd-mm-yyyy`.
    var issueDate: String
    var fingerprint: String = ""
}

/// The namespaces of the tax agency's schemas.
enum VerifactuNamespace {
    static let information =
        "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd"
    static let submission =
        "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroLR.xsd"
}

/// The billing record (`RegistroAlta`, `SuministroInformacion.xsd` version 1.0) of an invoice or credit note, as
/// generated when it is issued and stored beside it. Amounts are written exactly as the fingerprint hashed them
/// (``Money/decimal(_:)``); every text is escaped and cut to the schema's length.
struct BillingRecordXML {
    var record: VerifactuRecord
    var fingerprint: String
    var issuerName: String
    var draft: InvoiceDraft
    /// For a credit note: the invoice it corrects.
    var corrects: RecordReference?
    /// For an F3: the simplified invoice it substitutes.
    var substitutes: RecordReference? = nil
    /// The record before this one in the issuer's chain (nil for the first).
    var previous: RecordReference?
    var system: InvoicingSystem

    var text: String { xml.text }

    /// The record as UTF-8 bytes, as it is stored.
    var bytes: [UInt8] { xml.bytes }

    private var xml: XMLText {
        var xml = XMLText()
        xml.open("sf:RegistroAlta", attributes: [("xmlns:sf", VerifactuNamespace.information)])
        xml.element("sf:IDVersion", "1.0")
        xml.open("sf:IDFactura")
        xml.element("sf:IDEmisorFactura", record.issuerTaxId)
        xml.element("sf:NumSerieFactura", record.seriesNumber)
        xml.element("sf:FechaExpedicionFactura", record.issueDate)
        xml.close("sf:IDFactura")
        xml.element("sf:NombreRazonEmisor", issuerName, limit: 120)
        xml.element("sf:TipoFactura", record.kind.rawValue)
        if record.kind.isCreditNote {
            xml.element("sf:TipoRectificativa", "I")  // by differences: the credit note carries what is returned
            if let corrects { Self.name(corrects, in: "sf:FacturasRectificadas", as: "sf:IDFacturaRectificada", into: &xml) }
        }
        if let substitutes, record.kind == .substitute {
            Self.name(substitutes, in: "sf:FacturasSustituidas", as: "sf:IDFacturaSustituida", into: &xml)
        }
        xml.element("sf:DescripcionOperacion", description, limit: 500)
        let identified = draft.customer?.taxId.map { !$0.isEmpty } ?? false
        if record.kind == .full, !identified {
            // A full invoice over the retail limit to a customer who gave no tax id (RD 1619/2012 art. 6.1.d).
            xml.element("sf:FacturaSinIdentifDestinatarioArt61d", "S")
        }
        if identified, let customer = draft.customer, let taxId = customer.taxId, record.kind.namesRecipient {
            xml.open("sf:Destinatarios")
            xml.open("sf:IDDestinatario")
            xml.element("sf:NombreRazon", customer.name ?? taxId, limit: 120)
            Self.identify(taxId, into: &xml)
            xml.close("sf:IDDestinatario")
            xml.close("sf:Destinatarios")
        }
        xml.open("sf:Desglose")
        for line in draft.breakdown {
            xml.open("sf:DetalleDesglose")
            xml.element("sf:Impuesto", "01")  // IVA
            xml.element("sf:ClaveRegimen", "01")  // the general regime
            xml.element("sf:CalificacionOperacion", "S1")  // subject and not exempt
            xml.element("sf:TipoImpositivo", Self.rate(basisPoints: line.rate * 100))
            xml.element("sf:BaseImponibleOimporteNoSujeto", Money.decimal(line.baseCents))
            xml.element("sf:CuotaRepercutida", Money.decimal(line.taxCents))
            if line.surchargeBasisPoints > 0 || line.surchargeCents != 0 {
                xml.element("sf:TipoRecargoEquivalencia", Self.rate(basisPoints: line.surchargeBasisPoints))
                xml.element("sf:CuotaRecargoEquivalencia", Money.decimal(line.surchargeCents))
            }
            xml.close("sf:DetalleDesglose")
        }
        xml.close("sf:Desglose")
        xml.element("sf:CuotaTotal", record.totalTax)
        xml.element("sf:ImporteTotal", record.totalAmount)
        Self.chain(previous, into: &xml)
        Self.system(system, into: &xml)
        xml.element("sf:FechaHoraHusoGenRegistro", record.generatedAt)
        xml.element("sf:TipoHuella", "01")  // SHA-256
        xml.element("sf:Huella", fingerprint)
        xml.close("sf:RegistroAlta")
        return xml
    }

    private var description: String {
        switch record.kind {
        case .simplified: "Venta en tienda \(draft.storeId), terminal \(draft.terminalId)"
        case .full: "Venta en tienda \(draft.storeId), terminal \(draft.terminalId), factura completa"
        case .substitute: "Factura completa en sustitución de la simplificada \(substitutes?.seriesNumber ?? "")"
        case .correctingFull, .correctingSimplified: "Devolución en tienda \(draft.storeId), terminal \(draft.terminalId)"
        }
    }

    /// A recipient's identity: `NIF` for a Spanish tax id that checks, `IDOtro` otherwise (an EU VAT number by its
    /// country's prefix, or a Spanish one the agency has not registered).
    static func identify(_ taxId: String, into xml: inout XMLText) {
        let upper = taxId.uppercased()
        if SpanishTaxId.isValid(upper) {
            xml.element("sf:NIF", upper)
            return
        }
        xml.open("sf:IDOtro")
        let prefix = String(upper.prefix(2))
        if euCountries.contains(prefix), prefix != "ES" {
            xml.element("sf:CodigoPais", prefix)
            xml.element("sf:IDType", "02")  // NIF-IVA
        } else {
            xml.element("sf:CodigoPais", "ES")
            xml.element("sf:IDType", "07")  // not registered with the agency
        }
        xml.element("sf:ID", upper, limit: 20)
        xml.close("sf:IDOtro")
    }

    /// Another invoice named by a record (`FacturasRectificadas`, `FacturasSustituidas`): issuer, number and date.
    static func name(_ invoice: RecordReference, in list: StaticString, as item: StaticString, into xml: inout XMLText) {
        xml.open(list)
        xml.open(item)
        xml.element("sf:IDEmisorFactura", invoice.issuerTaxId)
        xml.element("sf:NumSerieFactura", invoice.seriesNumber)
        xml.element("sf:FechaExpedicionFactura", invoice.issueDate)
        xml.close(item)
        xml.close(list)
    }

    static func chain(_ previous: RecordReference?, into xml: inout XMLText) {
        xml.open("sf:Encadenamiento")
        if let previous {
            xml.open("sf:RegistroAnterior")
            xml.element("sf:IDEmisorFactura", previous.issuerTaxId)
            xml.element("sf:NumSerieFactura", previous.seriesNumber)
            xml.element("sf:FechaExpedicionFactura", previous.issueDate)
            xml.element("sf:Huella", previous.fingerprint)
            xml.close("sf:RegistroAnterior")
        } else {
            xml.element("sf:PrimerRegistro", "S")
        }
        xml.close("sf:Encadenamiento")
    }

    /// The invoicing system's block, the same in every record an installation writes: written once, then copied.
    private static let systemBlock = Mutex<(system: InvoicingSystem, bytes: [UInt8])?>(nil)

    static func system(_ system: InvoicingSystem, into xml: inout XMLText) {
        if let written = systemBlock.withLock({ $0 }), written.system == system {
            xml.append(written.bytes[...])
            return
        }
        var block = XMLText(reservingBytes: 512)
        writeSystem(system, into: &block)
        let bytes = block.bytes
        systemBlock.withLock { $0 = (system, bytes) }
        xml.append(bytes[...])
    }

    private static func writeSystem(_ system: InvoicingSystem, into xml: inout XMLText) {
        xml.open("sf:SistemaInformatico")
        xml.element("sf:NombreRazon", system.producerName, limit: 120)
        xml.element("sf:NIF", system.producerTaxId)
        xml.element("sf:NombreSistemaInformatico", system.name, limit: 30)
        xml.element("sf:IdSistemaInformatico", system.id, limit: 2)
        xml.element("sf:Version", system.version, limit: 50)
        xml.element("sf:NumeroInstalacion", system.installationNumber, limit: 100)
        xml.element("sf:TipoUsoPosibleSoloVerifactu", "S")
        xml.element("sf:TipoUsoPosibleMultiOT", "S")
        xml.element("sf:IndicadorMultiplesOT", system.multipleIssuers ? "S" : "N")
        xml.close("sf:SistemaInformatico")
    }

    /// `21`, `5.2`, `0.5`: a rate in basis points as the schema writes it (`Tipo2.2Type`).
    static func rate(basisPoints: Int64) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        if fraction == 0 { return "\(whole)" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The EU's VAT prefixes (Greece writes EL).
    static let euCountries: Set<String> = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL",
        "PL", "PT", "RO", "SE", "SI", "SK",
    ]
}

/// XML written as UTF-8 bytes: elements opened and closed in order, text escaped, and cut to a length counted in
/// characters as XML Schema counts them (Unicode scalars). Bytes, not a String: appending to a String costs several
/// times as much per piece, and billing writes one record for every invoice.
struct XMLText {
    private(set) var bytes: [UInt8] = []

    init(reservingBytes capacity: Int = 2_048) { bytes.reserveCapacity(capacity) }

    /// Markup written already, as it is.
    mutating func append(_ written: ArraySlice<UInt8>) { bytes.append(contentsOf: written) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Element and attribute names are the schema's, written in the code: copied as they are, never escaped.
    mutating func open(_ name: StaticString, attributes: [(StaticString, String)] = []) {
        bytes.append(UInt8(ascii: "<"))
        append(name)
        for (attribute, value) in attributes {
            bytes.append(UInt8(ascii: " "))
            append(attribute)
            bytes.append(UInt8(ascii: "="))
            bytes.append(UInt8(ascii: "\""))
            appendEscaped(value)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func close(_ name: StaticString) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(UInt8(ascii: "/"))
        append(name)
        bytes.append(UInt8(ascii: ">"))
    }

    private mutating func append(_ name: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    mutating func element(_ name: StaticString, _ value: String, limit: Int? = nil) {
        open(name)
        // A character is at least one byte: text of no more bytes than the limit is within it without counting.
        if let limit, value.utf8.count > limit, value.unicodeScalars.count > limit {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: value.unicodeScalars.prefix(limit))
            appendEscaped(String(scalars))
        } else {
            appendEscaped(value)
        }
        close(name)
    }

    private mutating func appendEscaped(_ value: String) {
        MarkupText.append(value, escapedTo: &bytes)
    }
}

/// The annulment record (`RegistroAnulacion`) of a cancelled invoice: which invoice, the chain's previous record, the
/// invoicing system, when, and the fingerprint (``VerifactuAnnulment``).
struct AnnulmentRecordXML {
    var annulment: VerifactuAnnulment
    var previous: RecordReference?
    var system: InvoicingSystem

    var text: String {
        var xml = XMLText()
        xml.open("sf:RegistroAnulacion", attributes: [("xmlns:sf", VerifactuNamespace.information)])
        xml.element("sf:IDVersion", "1.0")
        xml.open("sf:IDFactura")
        xml.element("sf:IDEmisorFacturaAnulada", annulment.issuerTaxId)
        xml.element("sf:NumSerieFacturaAnulada", annulment.seriesNumber)
        xml.element("sf:FechaExpedicionFacturaAnulada", annulment.issueDate)
        xml.close("sf:IDFactura")
        BillingRecordXML.chain(previous, into: &xml)
        BillingRecordXML.system(system, into: &xml)
        xml.element("sf:FechaHoraHusoGenRegistro", annulment.generatedAt)
        xml.element("sf:TipoHuella", "01")
        xml.element("sf:Huella", annulment.fingerprint)
        xml.close("sf:RegistroAnulacion")
        return xml.text
    }
}
