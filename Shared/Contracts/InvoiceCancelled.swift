/// `billing.invoice.cancelled.v1`: billing cancelled an invoice or credit note (it keeps its number; its annulment
/// record, `RegistroAnulacion`, is in the issuer's chain). On `billing.events` with routing key
/// `invoice.cancelled.<storeId>.<terminalId>`.
package struct InvoiceCancelledV1: Codable, Sendable, Equatable {
    package static let messageType = "billing.invoice.cancelled.v1"

    /// `<series>/<number>` of what was cancelled.
    package var number: String
    package var series: String
    package var sequence: Int64
    package var kind: String
    package var issuerTaxId: String
    package var storeId: String
    package var terminalId: String
    package var reason: String
    /// The annulment record's fingerprint and the one before it in the chain.
    package var fingerprint: String
    package var previousFingerprint: String
    /// When the annulment record was generated, ISO 8601 with offset.
    package var generatedAt: String

    package init(
        number: String, series: String, sequence: Int64, kind: String, issuerTaxId: String, storeId: String, terminalId: String,
        reason: String, fingerprint: String, previousFingerprint: String, generatedAt: String
    ) {
        self.number = number
        self.series = series
        self.sequence = sequence
        self.kind = kind
        self.issuerTaxId = issuerTaxId
        self.storeId = storeId
        self.terminalId = terminalId
        self.reason = reason
        self.fingerprint = fingerprint
        self.previousFingerprint = previousFingerprint
        self.generatedAt = generatedAt
    }

    package var routingKey: String { "invoice.cancelled.\(storeId).\(terminalId)" }
}
