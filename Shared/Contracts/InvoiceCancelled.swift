/// `billing.invoice.cancelled.v1`: billing cancelled an invoice or credit note (it keeps its number; its annulment
/// record, `RegistroAnulacion`, is in the issuer's chain). On `billing.events` with routing key
/// `invoice.cancelled.<storeId>.<terminalId>`.
public struct InvoiceCancelledV1: Codable, Sendable, Equatable {
    public static let messageType = "billing.invoice.cancelled.v1"

    /// `<series>/<number>` of what was cancelled.
    public var number: String
    public var series: String
    public var sequence: Int64
    public var kind: String
    public var issuerTaxId: String
    public var storeId: String
    public var terminalId: String
    public var reason: String
    /// The annulment record's fingerprint and the one before it in the chain.
    public var fingerprint: String
    public var previousFingerprint: String
    /// When the annulment record was generated, ISO 8601 with offset.
    public var generatedAt: String

    public init(
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

    public var routingKey: String { "invoice.cancelled.\(storeId).\(terminalId)" }
}
