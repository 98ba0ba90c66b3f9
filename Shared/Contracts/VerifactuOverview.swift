/// How submission to the tax agency stands, per issuer: billing's `GET /verifactu`, as the CLI and the console read it.
public struct VerifactuOverview: Sendable, Codable, Equatable {
    public struct Issuer: Sendable, Codable, Equatable {
        public var taxId: String
        public var legalName: String
        /// Whether a certificate for it is configured (without one, its records wait).
        public var certificate: Bool
        public var records: Int64
        public var pending: Int64
        public var oldestPendingSeconds: Int64?
        public var accepted: Int64
        public var acceptedWithErrors: Int64
        /// Records the agency refused that no later record of the same invoice has made good.
        public var rejected: Int64
        public var late: Int64
        public var lastCSV: String?
        public var lastError: String?
        public var failures: Int64

        public init(
            taxId: String, legalName: String, certificate: Bool, records: Int64, pending: Int64, oldestPendingSeconds: Int64?, accepted: Int64,
            acceptedWithErrors: Int64, rejected: Int64, late: Int64, lastCSV: String?, lastError: String?, failures: Int64
        ) {
            self.taxId = taxId
            self.legalName = legalName
            self.certificate = certificate
            self.records = records
            self.pending = pending
            self.oldestPendingSeconds = oldestPendingSeconds
            self.accepted = accepted
            self.acceptedWithErrors = acceptedWithErrors
            self.rejected = rejected
            self.late = late
            self.lastCSV = lastCSV
            self.lastError = lastError
            self.failures = failures
        }
    }

    /// `on`, or `off` when no agency endpoint is configured.
    public var submission: String
    public var endpoint: String?
    public var issuers: [Issuer]

    public init(submission: String, endpoint: String?, issuers: [Issuer]) {
        self.submission = submission
        self.endpoint = endpoint
        self.issuers = issuers
    }
}
