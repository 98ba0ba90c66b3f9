import AMQPClient
import Foundation
import PostgresClient

/// What billing keeps of its submissions to the tax agency. The records themselves are already stored, in the
/// issuer's chain order (invoices, cancellations, corrections): submission is an outbox over them, one cursor per
/// issuer (the next chain position to send), leased by one replica at a time, and each record's answer beside it.
enum SubmissionStore {
    static let migrations: [Migration] = [
        Migration(
            11, "submission to the tax agency: corrections, cursors, answers",
            """
            CREATE TABLE corrections (
                issuer_tax_id text COLLATE "C" NOT NULL REFERENCES issuers,
                chain_position bigint NOT NULL,
                series text COLLATE "C" NOT NULL,
                number bigint NOT NULL,
                previous_fingerprint text NOT NULL,
                fingerprint text NOT NULL,
                generated_at text NOT NULL,
                record text NOT NULL,
                corrected_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (issuer_tax_id, chain_position),
                FOREIGN KEY (series, number) REFERENCES invoices
            );
            CREATE INDEX corrections_of_invoice ON corrections (series, number);
            CREATE TRIGGER corrections_append_only BEFORE UPDATE OR DELETE ON corrections FOR EACH ROW EXECUTE FUNCTION refuse_change();
            CREATE TRIGGER corrections_never_truncated BEFORE TRUNCATE ON corrections FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
            CREATE TABLE submission_cursors (
                issuer_tax_id text COLLATE "C" PRIMARY KEY REFERENCES issuers,
                next_position bigint NOT NULL DEFAULT 1,
                next_send_at timestamptz NOT NULL DEFAULT '-infinity',
                late_through bigint NOT NULL DEFAULT 0,
                leased_by text,
                leased_until timestamptz,
                failures integer NOT NULL DEFAULT 0,
                last_csv text,
                last_error text,
                last_answer_at timestamptz
            );
            CREATE TABLE submission_states (
                issuer_tax_id text COLLATE "C" NOT NULL,
                chain_position bigint NOT NULL,
                series text COLLATE "C" NOT NULL,
                number bigint NOT NULL,
                operation text NOT NULL,
                state text NOT NULL,
                csv text,
                error_code integer,
                error_description text,
                late boolean NOT NULL,
                answered_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (issuer_tax_id, chain_position)
            );
            CREATE INDEX submission_states_of_invoice ON submission_states (series, number);
            """),
    ]

    /// One stored record of a chain, ready to send.
    struct PendingRecord: Sendable, Equatable {
        enum Operation: String, Sendable { case alta, annulment, correction }
        var position: Int64
        var operation: Operation
        var series: String
        var number: Int64
        var xml: String
    }

    /// An issuer's turn to submit, leased to one replica.
    struct Lease: Sendable {
        var issuerTaxId: String
        var issuerName: String
        var nextPosition: Int64
        var lateThrough: Int64
        var records: [PendingRecord]
    }

    /// Leases the issuer (of `issuers`, those with a certificate) whose records have waited longest and may be sent
    /// now: its wait (`TiempoEsperaEnvio`) is over, or a full envelope of 1,000 is waiting. Nil when none may.
    static func lease(among issuers: [String], owner: String, lease: Duration, on connection: PostgresConnection) throws -> Lease? {
        guard !issuers.isEmpty else { return nil }
        try connection.query(
            "INSERT INTO submission_cursors (issuer_tax_id) SELECT tax_id FROM issuers WHERE tax_id = ANY($1::text[]) ON CONFLICT DO NOTHING",
            [PostgresArrays.text(issuers)])
        guard let row = try connection.query(
            """
            UPDATE submission_cursors c SET leased_by = $2, leased_until = now() + $3 * interval '1 millisecond'
            FROM issuers i
            WHERE i.tax_id = c.issuer_tax_id AND c.issuer_tax_id = (
                SELECT s.issuer_tax_id FROM submission_cursors s JOIN chains h USING (issuer_tax_id)
                WHERE s.issuer_tax_id = ANY($1::text[]) AND h.records >= s.next_position
                  AND (s.leased_until IS NULL OR s.leased_until < now())
                  AND (s.next_send_at <= now() OR h.records - s.next_position + 1 >= \(SubmissionEnvelope.maximumRecords))
                ORDER BY s.next_send_at LIMIT 1 FOR UPDATE OF s SKIP LOCKED)
            RETURNING c.issuer_tax_id, i.legal_name, c.next_position, c.late_through
            """, [PostgresArrays.text(issuers), owner, lease.wholeMilliseconds]).first
        else { return nil }
        let issuer: String = try row.decode(at: 0)
        let next: Int64 = try row.decode(at: 2)
        let lateThrough: Int64 = try row.decode(at: 3)
        // Records that waited through an outage go in envelopes of their own, marked as sent after an incident.
        let last = next + Int64(SubmissionEnvelope.maximumRecords) - 1
        let through = lateThrough >= next ? min(last, lateThrough) : last
        let rows = try connection.query(
            """
            SELECT chain_position, 'alta', series, number, record FROM invoices
                WHERE issuer_tax_id = $1 AND chain_position BETWEEN $2 AND $3
            UNION ALL
            SELECT chain_position, 'annulment', series, number, record FROM cancellations
                WHERE issuer_tax_id = $1 AND chain_position BETWEEN $2 AND $3
            UNION ALL
            SELECT chain_position, 'correction', series, number, record FROM corrections
                WHERE issuer_tax_id = $1 AND chain_position BETWEEN $2 AND $3
            ORDER BY 1
            """, [issuer, next, through])
        var records: [PendingRecord] = []
        for row in rows {
            let position: Int64 = try row.decode(at: 0)
            // The chain has no gaps: stop at one (a record still being committed).
            guard position == next + Int64(records.count) else { break }
            records.append(
                PendingRecord(
                    position: position, operation: PendingRecord.Operation(rawValue: try row.decode(at: 1)) ?? .alta,
                    series: try row.decode(at: 2), number: try row.decode(at: 3), xml: try row.decode(at: 4)))
        }
        return Lease(issuerTaxId: issuer, issuerName: try row.decode(at: 1), nextPosition: next, lateThrough: lateThrough, records: records)
    }

    /// One record's answer from the agency.
    struct Outcome: Sendable {
        var record: PendingRecord
        var state: String
        var csv: String?
        var errorCode: Int?
        var errorDescription: String?
    }

    /// Stores the agency's answer to a leased envelope and moves the cursor past it, if the lease is still this
    /// replica's and the cursor where it was (else another replica has sent and stored it: nothing is stored twice).
    /// Returns whether it stored.
    @discardableResult
    static func store(
        _ outcomes: [Outcome], lease: Lease, owner: String, late: Bool, csv: String?, wait: Duration, on connection: PostgresConnection
    ) throws -> Bool {
        guard try !connection.query(
            "SELECT 1 FROM submission_cursors WHERE issuer_tax_id = $1 AND leased_by = $2 AND next_position = $3 FOR UPDATE",
            [lease.issuerTaxId, owner, lease.nextPosition]
        ).isEmpty else { return false }
        var rows = CopyRows(reservingBytes: outcomes.count * 96)
        for outcome in outcomes {
            rows.append(lease.issuerTaxId)
            rows.append(outcome.record.position)
            rows.append(outcome.record.series)
            rows.append(outcome.record.number)
            rows.append(outcome.record.operation.rawValue)
            rows.append(outcome.state)
            rows.append(outcome.csv ?? csv)
            rows.append(outcome.errorCode.map { String($0) })
            rows.append(outcome.errorDescription)
            rows.append(late ? "t" : "f")
            rows.endRow()
        }
        try connection.copy(
            into: "submission_states",
            columns: ["issuer_tax_id", "chain_position", "series", "number", "operation", "state", "csv", "error_code", "error_description", "late"],
            data: rows)
        let last = lease.nextPosition + Int64(outcomes.count)
        try connection.query(
            """
            UPDATE submission_cursors SET next_position = $2, leased_by = NULL, leased_until = NULL, failures = 0,
                next_send_at = now() + $3 * interval '1 millisecond', last_csv = coalesce($4, last_csv), last_error = NULL, last_answer_at = now()
            WHERE issuer_tax_id = $1
            """, [lease.issuerTaxId, last, wait.wholeMilliseconds, csv])
        return true
    }

    /// The agency could not be reached (or answered with no answer): everything waiting now is marked to be sent as
    /// after an incident, and the issuer waits `retry` before the next try.
    /// An envelope the agency refused whole (a fault) is tried again the same way, with `incident` false: the
    /// records wait, and the error shows in the status, until what made it fail is fixed.
    static func failed(_ lease: Lease, owner: String, error: String, incident: Bool, retry: Duration, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE submission_cursors c SET leased_by = NULL, leased_until = NULL, failures = failures + 1, last_error = $3,
                next_send_at = now() + $4 * interval '1 millisecond',
                late_through = CASE WHEN $5 THEN greatest(late_through, (SELECT records FROM chains h WHERE h.issuer_tax_id = c.issuer_tax_id))
                                    ELSE late_through END
            WHERE issuer_tax_id = $1 AND leased_by = $2
            """, [lease.issuerTaxId, owner, String(error.prefix(500)), retry.wholeMilliseconds, incident])
    }

    /// How many times in a row the issuer's submissions have failed.
    static func failures(of issuer: String, on connection: PostgresConnection) throws -> Int {
        Int(try connection.query("SELECT failures FROM submission_cursors WHERE issuer_tax_id = $1", [issuer]).first?.decode(Int64.self, at: 0) ?? 0)
    }
}

extension SubmissionStore {
    /// Gives an issuer's lease back without sending (nothing could be read in order yet).
    static func release(_ lease: Lease, owner: String, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE submission_cursors SET leased_by = NULL, leased_until = NULL WHERE issuer_tax_id = $1 AND leased_by = $2",
            [lease.issuerTaxId, owner])
    }
}
