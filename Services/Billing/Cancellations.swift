import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Cancelling an invoice or credit note: nothing is deleted and the number stays taken; an annulment record
/// (`RegistroAnulacion`) is chained into the issuer's chain, stored beside the invoice, and
/// `billing.invoice.cancelled.v1` goes out through the outbox in the same transaction.
enum Cancellations {
    static let migrations: [Migration] = [
        Outbox.migration(7),
        Outbox.traceMigration(8),
        Migration(
            9, "cancellations with their annulment records",
            """
            CREATE TABLE cancellations (
                series text COLLATE "C" NOT NULL,
                number bigint NOT NULL,
                issuer_tax_id text COLLATE "C" NOT NULL REFERENCES issuers,
                reason text NOT NULL,
                chain_position bigint NOT NULL,
                previous_fingerprint text NOT NULL,
                fingerprint text NOT NULL,
                generated_at text NOT NULL,
                record text NOT NULL,
                cancelled_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (series, number),
                FOREIGN KEY (series, number) REFERENCES invoices,
                UNIQUE (issuer_tax_id, chain_position)
            );
            CREATE TRIGGER cancellations_append_only BEFORE UPDATE OR DELETE ON cancellations FOR EACH ROW EXECUTE FUNCTION refuse_change();
            CREATE TRIGGER cancellations_never_truncated BEFORE TRUNCATE ON cancellations FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
            """),
        // With its document and its record an invoice's row is about 4 kB: kept whole in the heap, it is written once,
        // instead of compressed and moved out to the TOAST table column by column.
        Migration(10, "invoices kept inline", "ALTER TABLE invoices SET (toast_tuple_target = 8160)"),
    ]

    enum Outcome: Sendable, Equatable {
        case cancelled(InvoiceCancelledV1)
        case unknown
        case alreadyCancelled
    }

    /// Cancels `series/number` for `reason`, in the caller's transaction.
    static func cancel(
        series: String, number: Int64, reason: String, generatedAt: String, system: InvoicingSystem, on connection: PostgresConnection
    ) throws -> Outcome {
        guard let invoice = try connection.query(
            """
            SELECT issuer_tax_id, to_char(issue_date, 'DD-MM-YYYY'), kind, store_id, terminal_id
            FROM invoices WHERE series = $1 AND number = $2
            """, [series, number]).first
        else { return .unknown }
        let issuerTaxId: String = try invoice.decode(at: 0)
        // The chain's lock first, as for issuing: one cancellation at a time per issuer, in the chain's order.
        let head = try BillingStore.lockChains(of: [issuerTaxId], on: connection)[issuerTaxId] ?? .init()
        if try !connection.query("SELECT 1 FROM cancellations WHERE series = $1 AND number = $2", [series, number]).isEmpty {
            return .alreadyCancelled
        }
        let annulment = VerifactuAnnulment(
            issuerTaxId: issuerTaxId, seriesNumber: "\(series)/\(number)", issueDate: try invoice.decode(at: 1),
            previousFingerprint: head.lastFingerprint, generatedAt: generatedAt)
        let fingerprint = annulment.fingerprint
        let record = AnnulmentRecordXML(annulment: annulment, previous: head.previous(issuerTaxId: issuerTaxId), system: system).text
        try connection.query(
            """
            INSERT INTO cancellations (series, number, issuer_tax_id, reason, chain_position, previous_fingerprint, fingerprint, generated_at, record)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [series, number, issuerTaxId, reason, head.records + 1, head.lastFingerprint, fingerprint, generatedAt, record])
        try connection.query(
            """
            UPDATE chains SET last_fingerprint = $2, records = records + 1, last_series_number = $3, last_issue_date = $4
            WHERE issuer_tax_id = $1
            """, [issuerTaxId, fingerprint, annulment.seriesNumber, annulment.issueDate])
        let event = InvoiceCancelledV1(
            number: annulment.seriesNumber, series: series, sequence: number, kind: try invoice.decode(at: 2), issuerTaxId: issuerTaxId,
            storeId: try invoice.decode(at: 3), terminalId: try invoice.decode(at: 4), reason: reason, fingerprint: fingerprint,
            previousFingerprint: head.lastFingerprint, generatedAt: generatedAt)
        try Outbox.add(event, exchange: Exchanges.billingEvents.name, routingKey: event.routingKey, type: InvoiceCancelledV1.messageType, on: connection)
        return .cancelled(event)
    }

    /// The annulment record of a cancelled invoice, as it was generated.
    static func record(series: String, number: Int64, database: Database) async throws -> String? {
        try await database.query("SELECT record FROM cancellations WHERE series = $1 AND number = $2", [series, number]).first?.decode(String.self, at: 0)
    }
}
