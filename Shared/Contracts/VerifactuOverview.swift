/// How submission to the tax agency stands, per issuer: billing's `GET /verifactu`, as the CLI and the console read it.
package struct VerifactuOverview: Sendable, Codable, Equatable {
    package struct Issuer: Sendable, Codable, Equatable {
        package var taxId: String
        package var legalName: String
        /// Whether a certificate for it is configured (without one, its records wait).
        package var certificate: Bool
        package var records: Int64
        package var pending: Int64
        package var oldestPendingSeconds: Int64?
        package var accepted: Int64
        package var acceptedWithErrors: Int64
        /// Records the agency refused that no later record of the same invoice has made good.
        package var rejected: Int64
        package var late: Int64
        package var lastCSV: String?
        package var lastError: String?
        package var failures: Int64

        package init(
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
    package var submission: String
    package var endpoint: String?
    package var issuers: [Issuer]

    package init(submission: String, endpoint: String?, issuers: [Issuer]) {
        self.submission = submission
        self.endpoint = endpoint
        self.issuers = issuers
    }
}
