import Contracts
import Metrics
import PostgresClient

/// How submission stands, per issuer and per invoice: for `GET /verifactu`, `GET /invoices/{s}/{n}/verifactu`,
/// `trastienda verifactu status` and the Prometheus gauges (`billing_verifactu_*{issuer}`).
struct VerifactuStatus: Sendable {
    let database: Database
    let settings: AgencySettings

    typealias Issuer = VerifactuOverview.Issuer
    typealias Overview = VerifactuOverview

    func overview() async throws -> Overview {
        let certified = Set(settings.issuersWithCertificates().keys)
        let rows = try await database.query(
            """
            SELECT i.tax_id, i.legal_name, coalesce(h.records, 0), coalesce(c.next_position, 1),
                (SELECT extract(epoch FROM now() - r.generated_at::timestamptz)::bigint FROM (
                    SELECT generated_at FROM invoices WHERE issuer_tax_id = i.tax_id AND chain_position = coalesce(c.next_position, 1)
                    UNION ALL SELECT generated_at FROM cancellations WHERE issuer_tax_id = i.tax_id AND chain_position = coalesce(c.next_position, 1)
                    UNION ALL SELECT generated_at FROM corrections WHERE issuer_tax_id = i.tax_id AND chain_position = coalesce(c.next_position, 1)
                ) r LIMIT 1),
                (SELECT count(*) FROM submission_states s WHERE s.issuer_tax_id = i.tax_id AND s.state = 'Correcto'),
                (SELECT count(*) FROM submission_states s WHERE s.issuer_tax_id = i.tax_id AND s.state = 'AceptadoConErrores'),
                (SELECT count(*) FROM submission_states s WHERE s.issuer_tax_id = i.tax_id AND s.state = 'Incorrecto'
                    AND NOT EXISTS (SELECT 1 FROM submission_states t WHERE t.issuer_tax_id = s.issuer_tax_id AND t.series = s.series
                        AND t.number = s.number AND t.operation <> 'annulment' AND s.operation <> 'annulment'
                        AND t.chain_position > s.chain_position AND t.state <> 'Incorrecto')),
                (SELECT count(*) FROM submission_states s WHERE s.issuer_tax_id = i.tax_id AND s.late),
                c.last_csv, c.last_error, coalesce(c.failures, 0)
            FROM issuers i LEFT JOIN chains h ON h.issuer_tax_id = i.tax_id LEFT JOIN submission_cursors c ON c.issuer_tax_id = i.tax_id
            ORDER BY i.tax_id
            """)
        let issuers = try rows.map { row in
            let records: Int64 = try row.decode(at: 2)
            let next: Int64 = try row.decode(at: 3)
            let pending = max(0, records - next + 1)
            return Issuer(
                taxId: try row.decode(at: 0), legalName: try row.decode(at: 1), certificate: certified.contains(try row.decode(at: 0)),
                records: records, pending: pending, oldestPendingSeconds: pending > 0 ? try row.decodeIfPresent(Int64.self, at: 4) : nil,
                accepted: try row.decode(at: 5), acceptedWithErrors: try row.decode(at: 6), rejected: try row.decode(at: 7), late: try row.decode(at: 8),
                lastCSV: try row.decodeIfPresent(String.self, at: 9), lastError: try row.decodeIfPresent(String.self, at: 10),
                failures: try row.decode(at: 11))
        }
        return Overview(submission: settings.url == nil ? "off" : "on", endpoint: settings.url, issuers: issuers)
    }

    /// Each record of one invoice (its billing record, corrections, annulment) and how the agency answered it.
    struct InvoiceRecord: Sendable, Codable, Equatable {
        var chainPosition: Int64
        var operation: String
        /// `pending` until answered; then `Correcto`, `AceptadoConErrores` or `Incorrecto`.
        var state: String
        var csv: String?
        var errorCode: Int64?
        var errorDescription: String?
        var late: Bool
    }

    func records(series: String, number: Int64) async throws -> [InvoiceRecord]? {
        let rows = try await database.query(
            """
            SELECT r.chain_position, r.operation, coalesce(s.state, 'pending'), s.csv, s.error_code::bigint, s.error_description, coalesce(s.late, false)
            FROM (
                SELECT issuer_tax_id, chain_position, 'alta' AS operation FROM invoices WHERE series = $1 AND number = $2
                UNION ALL SELECT issuer_tax_id, chain_position, 'correction' FROM corrections WHERE series = $1 AND number = $2
                UNION ALL SELECT issuer_tax_id, chain_position, 'annulment' FROM cancellations WHERE series = $1 AND number = $2
            ) r LEFT JOIN submission_states s USING (issuer_tax_id, chain_position)
            ORDER BY r.chain_position
            """, [series, number])
        guard !rows.isEmpty else { return nil }
        return try rows.map { row in
            InvoiceRecord(
                chainPosition: try row.decode(at: 0), operation: try row.decode(at: 1), state: try row.decode(at: 2),
                csv: try row.decodeIfPresent(String.self, at: 3), errorCode: try row.decodeIfPresent(Int64.self, at: 4),
                errorDescription: try row.decodeIfPresent(String.self, at: 5), late: try row.decode(at: 6))
        }
    }

    /// Sets the gauges from the overview.
    func publishMetrics() async throws {
        for issuer in try await overview().issuers {
            let dimensions = [("issuer", issuer.taxId)]
            Gauge(label: "billing_verifactu_pending_records", dimensions: dimensions).record(issuer.pending)
            Gauge(label: "billing_verifactu_oldest_pending_seconds", dimensions: dimensions).record(issuer.oldestPendingSeconds ?? 0)
            Gauge(label: "billing_verifactu_rejected_records", dimensions: dimensions).record(issuer.rejected)
            Gauge(label: "billing_verifactu_accepted_records", dimensions: dimensions).record(issuer.accepted + issuer.acceptedWithErrors)
            Gauge(label: "billing_verifactu_submission_failures", dimensions: dimensions).record(issuer.failures)
        }
    }
}
