/// What the simulated agency refuses, each with its own code. The envelope-wide faults (a SOAP fault, nothing
/// booked) and the schema error carry the agency's own numbers (4102 the schema, 3000 a duplicate); the rest are
/// this simulator's, one per rule, listed in docs/billing.md.
enum AgencyFault: Int, Sendable, CaseIterable {
    /// Envelope: not XML, not SOAP, or not the schema's `RegFactuSistemaFacturacion`.
    case schema = 4102
    /// Envelope: more records than the agency takes in one envelope.
    case tooManyRecords = 4103
    /// A record of another issuer than the header's `ObligadoEmision`.
    case issuerMismatch = 1103
    /// The record is already booked (sent again after a crash, say); `RegistroDuplicado` says how it stands.
    case duplicate = 3000
    /// An annulment of a record already annulled.
    case alreadyAnnulled = 3001
    /// The `Huella` is not the SHA-256 of the record's fields.
    case fingerprint = 2000
    /// The record does not link to the last record received for the issuer (`RegistroAnterior` names another one,
    /// or says `PrimerRegistro` when there was one).
    case chain = 2001
    /// An F1 without a recipient that does not say why (`FacturaSinIdentifDestinatarioArt61d`).
    case recipientMissing = 1110
    /// A simplified invoice or its credit note (F2, R5) naming a recipient.
    case recipientNotAllowed = 1111
    /// A credit note that does not say what it corrects (`TipoRectificativa`, `FacturasRectificadas`).
    case correctedInvoiceMissing = 1112
    /// An F3 that does not name the simplified invoices it substitutes (`FacturasSustituidas`).
    case substitutedInvoiceMissing = 1113
    /// The breakdown does not add up: a rate's tax against its base, or `CuotaTotal`, `ImporteTotal` against the lines.
    case amounts = 1114
    /// A Spanish recipient NIF whose control character does not check.
    case recipientTaxId = 1115
    /// A recipient NIF the census does not know.
    case recipientUnknown = 1116
    /// `Subsanacion`/`RechazoPrevio` that do not match what the agency holds (a correction of a rejected record that
    /// was never rejected, `RechazoPrevio` without `Subsanacion`).
    case correctionFlags = 1117
    /// An annulment of an invoice the agency never booked, without `SinRegistroPrevio`.
    case annulledUnknown = 1118
    /// Refused because the simulator was told to refuse.
    case refused = 1119

    var description: String {
        switch self {
        case .schema: "El XML no cumple el esquema"
        case .tooManyRecords: "Se ha superado el límite de 1000 registros por envío"
        case .issuerMismatch: "El NIF del emisor de la factura no coincide con el obligado de la cabecera"
        case .duplicate: "Registro de facturación duplicado"
        case .alreadyAnnulled: "El registro de facturación ya ha sido anulado"
        case .fingerprint: "El cálculo de la huella suministrada es incorrecto"
        case .chain: "El encadenamiento no corresponde al último registro recibido del obligado"
        case .recipientMissing: "Factura completa sin destinatario y sin indicar FacturaSinIdentifDestinatarioArt61d"
        case .recipientNotAllowed: "Una factura simplificada o su rectificativa no puede identificar destinatarios"
        case .correctedInvoiceMissing: "Una factura rectificativa debe indicar TipoRectificativa y FacturasRectificadas"
        case .substitutedInvoiceMissing: "Una factura F3 debe indicar FacturasSustituidas"
        case .amounts: "Los importes del desglose no cuadran con CuotaTotal o ImporteTotal"
        case .recipientTaxId: "El NIF del destinatario no es válido"
        case .recipientUnknown: "El NIF del destinatario no está identificado en el censo"
        case .correctionFlags: "Los indicadores Subsanacion y RechazoPrevio no corresponden al registro"
        case .annulledUnknown: "No existe el registro de facturación que se anula"
        case .refused: "Registro rechazado por el simulador"
        }
    }
}
