import Contracts
import Foundation
import PostgresClient

/// The `billing` schema: issuers, series with their next number, each issuer's fingerprint chain, and the invoices.
///
/// Numbers are taken with `UPDATE series … RETURNING` inside the invoice's transaction: the row lock serialises
/// replicas on one series, and a rolled-back transaction gives its number back, so series have no gaps. The chain
/// row of the issuer is locked the same way (always after the series, so no two transactions wait on each other).
enum BillingStore {
    static let migrations: [Migration] = [
        CommonMigrations.handledMessages,
        Migration(
            2, "issuers, series, chains, invoices",
            """
            CREATE TABLE issuers (
                tax_id text COLLATE "C" PRIMARY KEY,
                legal_name text NOT NULL,
                address text NOT NULL
            );
            CREATE TABLE store_issuers (
                store_id text COLLATE "C" PRIMARY KEY,
                issuer_tax_id text COLLATE "C" NOT NULL REFERENCES issuers
            );
            CREATE TABLE series (
                code text COLLATE "C" PRIMARY KEY,
                issuer_tax_id text COLLATE "C" NOT NULL REFERENCES issuers,
                store_id text COLLATE "C" NOT NULL,
                year integer NOT NULL,
                credit_notes boolean NOT NULL,
                next_number bigint NOT NULL DEFAULT 1
            );
            CREATE TABLE chains (
                issuer_tax_id text COLLATE "C" PRIMARY KEY REFERENCES issuers,
                last_fingerprint text NOT NULL DEFAULT '',
                records bigint NOT NULL DEFAULT 0
            );
            CREATE TABLE invoices (
                series text COLLATE "C" NOT NULL,
                number bigint NOT NULL,
                sale_id uuid NOT NULL UNIQUE,
                kind text NOT NULL,
                issuer_tax_id text COLLATE "C" NOT NULL REFERENCES issuers,
                store_id text COLLATE "C" NOT NULL,
                terminal_id text NOT NULL,
                issue_date date NOT NULL,
                total_cents bigint NOT NULL,
                tax_cents bigint NOT NULL,
                chain_position bigint NOT NULL,
                previous_fingerprint text NOT NULL,
                fingerprint text NOT NULL,
                generated_at text NOT NULL,
                PRIMARY KEY (series, number),
                UNIQUE (issuer_tax_id, chain_position)
            );
            """),
        Migration(
            3, "invoice documents",
            """
            ALTER TABLE invoices ADD COLUMN document jsonb;
            CREATE INDEX invoices_by_store_and_date ON invoices (store_id, issue_date);
            """),
        Migration(
            4, "customers under the equivalence surcharge",
            "CREATE TABLE surcharge_customers (tax_id text COLLATE \"C\" PRIMARY KEY)"),
    ]

    /// A `text[]` parameter, sorted (so that row locks taken through it come in one order). Only for values made of
    /// letters and digits, such as tax ids, which need no quoting inside the array literal.
    static func textArray(_ values: Set<String>) -> String {
        "{" + values.sorted().joined(separator: ",") + "}"
    }

    /// Which of `taxIds` are customers under the equivalence surcharge.
    static func surchargeCustomers(among taxIds: Set<String>, on connection: PostgresConnection) throws -> Set<String> {
        guard !taxIds.isEmpty else { return [] }
        return Set(try connection.query("SELECT tax_id FROM surcharge_customers WHERE tax_id = ANY($1::text[])", [textArray(taxIds)])
            .map { try $0.decode(String.self, at: 0) })
    }

    /// Invoices and credit notes of a store issued between two dates (inclusive), oldest first, at most `limit`.
    static func documents(store: String, from: String, to: String, limit: Int, database: Database) async throws -> String {
        try await database.query(
            """
            SELECT coalesce(json_agg(document ORDER BY issue_date, series, number), '[]')::text FROM (
                SELECT document, issue_date, series, number FROM invoices
                WHERE store_id = $1 AND issue_date BETWEEN $2::date AND $3::date AND document IS NOT NULL
                ORDER BY issue_date, series, number LIMIT $4) page
            """, [store, from, to, limit])[0].decode(String.self, at: 0)
    }

    static func document(series: String, number: Int64, database: Database) async throws -> String? {
        try await database.query(
            "SELECT document::text FROM invoices WHERE series = $1 AND number = $2 AND document IS NOT NULL", [series, number]
        ).first?.decode(String.self, at: 0)
    }

    /// An issued invoice's number and chain link.
    struct Issued: Sendable, Equatable {
        var series: String
        var number: Int64
        var record: VerifactuRecord
        /// False when the sale already had its invoice (a redelivery): nothing new was issued.
        var isNew: Bool

        var seriesNumber: String { "\(series)/\(number)" }
    }

    /// The series an invoice goes in: one per store and year for invoices, another for credit notes (the issuer is the
    /// store's, so the series is the issuer's too).
    static func seriesCode(storeId: String, year: Int, creditNote: Bool) -> String {
        creditNote ? "R-\(storeId)-\(year)" : "\(storeId)-\(year)"
    }

    static func addIssuer(_ issuer: Issuer, stores: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO issuers (tax_id, legal_name, address) VALUES ($1, $2, $3)
            ON CONFLICT (tax_id) DO UPDATE SET legal_name = excluded.legal_name, address = excluded.address
            """, [issuer.taxId, issuer.legalName, issuer.address])
        for store in stores {
            try connection.query(
                """
                INSERT INTO store_issuers (store_id, issuer_tax_id) VALUES ($1, $2)
                ON CONFLICT (store_id) DO UPDATE SET issuer_tax_id = excluded.issuer_tax_id
                """, [store, issuer.taxId])
        }
    }

    /// Numbers `draft`, links it to its issuer's chain and stores it, in the caller's transaction. A sale that already
    /// has its invoice gets that invoice back.
    static func issue(
        _ draft: InvoiceDraft, issueDate: (year: Int, month: Int, day: Int), generatedAt: String,
        on connection: PostgresConnection, document: (Issued) throws -> String? = { _ in nil }
    ) throws -> Issued {
        if let existing = try connection.query(
            "SELECT series, number, kind, to_char(issue_date, 'DD-MM-YYYY'), tax_cents, total_cents, previous_fingerprint, generated_at FROM invoices WHERE sale_id = $1::uuid",
            [draft.saleId]
        ).first {
            return Issued(
                series: try existing.decode(at: 0), number: try existing.decode(at: 1),
                record: try record(draft.issuer.taxId, existing), isNew: false)
        }
        let series = seriesCode(storeId: draft.storeId, year: issueDate.year, creditNote: draft.kind.isCreditNote)
        let takeNumber = "UPDATE series SET next_number = next_number + 1 WHERE code = $1 RETURNING next_number - 1"
        var taken = try connection.query(takeNumber, [series])
        if taken.isEmpty {  // the series' first invoice
            try connection.query(
                """
                INSERT INTO series (code, issuer_tax_id, store_id, year, credit_notes) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (code) DO NOTHING
                """, [series, draft.issuer.taxId, draft.storeId, issueDate.year, draft.kind.isCreditNote])
            taken = try connection.query(takeNumber, [series])
        }
        let number: Int64 = try taken[0].decode(at: 0)
        let lockChain = "SELECT last_fingerprint, records FROM chains WHERE issuer_tax_id = $1 FOR UPDATE"
        var chains = try connection.query(lockChain, [draft.issuer.taxId])
        if chains.isEmpty {  // the issuer's first record
            try connection.query("INSERT INTO chains (issuer_tax_id) VALUES ($1) ON CONFLICT DO NOTHING", [draft.issuer.taxId])
            chains = try connection.query(lockChain, [draft.issuer.taxId])
        }
        let chain = chains[0]
        let record = VerifactuRecord(
            issuerTaxId: draft.issuer.taxId, seriesNumber: "\(series)/\(number)",
            issueDate: String(format: "%02d-%02d-%04d", issueDate.day, issueDate.month, issueDate.year), kind: draft.kind,
            totalTax: Money.decimal(draft.totalTaxCents + draft.totalSurchargeCents), totalAmount: Money.decimal(draft.totalCents),
            previousFingerprint: try chain.decode(String.self, at: 0), generatedAt: generatedAt)
        let position: Int64 = try chain.decode(at: 1) + 1
        try connection.query(
            "UPDATE chains SET last_fingerprint = $2, records = $3 WHERE issuer_tax_id = $1",
            [draft.issuer.taxId, record.fingerprint, position])
        let issued = Issued(series: series, number: number, record: record, isNew: true)
        try connection.query(
            """
            INSERT INTO invoices (series, number, sale_id, kind, issuer_tax_id, store_id, terminal_id, issue_date, total_cents,
                                  tax_cents, chain_position, previous_fingerprint, fingerprint, generated_at, document)
            VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, make_date($8, $9, $10), $11, $12, $13, $14, $15, $16, $17::jsonb)
            """,
            [
                series, number, draft.saleId, draft.kind.rawValue, draft.issuer.taxId, draft.storeId, draft.terminalId,
                issueDate.year, issueDate.month, issueDate.day, draft.totalCents, draft.totalTaxCents + draft.totalSurchargeCents,
                position, record.previousFingerprint, record.fingerprint, generatedAt, try document(issued),
            ])
        return issued
    }

    private static func record(_ issuerTaxId: String, _ row: Row) throws -> VerifactuRecord {
        let series: String = try row.decode(at: 0)
        let number: Int64 = try row.decode(at: 1)
        guard let kind = InvoiceKind(rawValue: try row.decode(at: 2)) else {
            throw PostgresError(.decodingFailed, "unknown invoice kind in \(series)/\(number)")
        }
        return VerifactuRecord(
            issuerTaxId: issuerTaxId, seriesNumber: "\(series)/\(number)", issueDate: try row.decode(at: 3), kind: kind,
            totalTax: Money.decimal(try row.decode(at: 4)), totalAmount: Money.decimal(try row.decode(at: 5)),
            previousFingerprint: try row.decode(at: 6), generatedAt: try row.decode(at: 7))
    }

    /// The result of checking one issuer's chain.
    struct ChainCheck: Sendable, Equatable {
        var records: Int
        /// The first record whose fingerprint does not match its contents or whose previous link is wrong.
        var firstBroken: String?
    }

    /// Recomputes every fingerprint of `issuerTaxId`'s chain in order and names the first broken link.
    static func verifyChain(issuerTaxId: String, on connection: PostgresConnection) throws -> ChainCheck {
        let rows = try connection.query(
            """
            SELECT series, number, kind, to_char(issue_date, 'DD-MM-YYYY'), tax_cents, total_cents, previous_fingerprint,
                   generated_at, fingerprint
            FROM invoices WHERE issuer_tax_id = $1 ORDER BY chain_position
            """, [issuerTaxId])
        var previous = ""
        for row in rows {
            let record = try record(issuerTaxId, row)
            let stored: String = try row.decode(at: 8)
            if record.previousFingerprint != previous || record.fingerprint != stored {
                return ChainCheck(records: rows.count, firstBroken: record.seriesNumber)
            }
            previous = stored
        }
        return ChainCheck(records: rows.count, firstBroken: nil)
    }
}
