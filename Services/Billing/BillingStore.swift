import AMQPClient
import ByteText
import Contracts
import Crypto
import Foundation
import PostgresClient
import ServiceRuntime

/// The `billing` schema: issuers, series with their next number, each issuer's fingerprint chain, and the invoices.
///
/// A batch takes its numbers with `UPDATE series … RETURNING` inside its transaction, after locking the chains of its
/// issuers (in one order): replicas are serialised per issuer, and a rolled-back transaction gives its numbers back,
/// so series have no gaps and chains no forks.
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
        // The document is written once and served as it was announced: kept as text, it costs COPY half as much as
        // jsonb, which parses and re-encodes every invoice.
        Migration(5, "invoice documents as text", "ALTER TABLE invoices ALTER COLUMN document TYPE text"),
        // VERI*FACTU: each invoice's billing record (RegistroAlta) is stored beside it, and nothing issued may change
        // or go: the trigger refuses billing's own role too (its owner could grant itself UPDATE, not skip this).
        // A store that changes issuer starts a new series (the generation is part of the series code).
        Migration(
            6, "billing records, append-only invoices, series per issuer",
            """
            ALTER TABLE invoices ADD COLUMN record text;
            ALTER TABLE chains ADD COLUMN last_series_number text NOT NULL DEFAULT '',
                ADD COLUMN last_issue_date text NOT NULL DEFAULT '';
            ALTER TABLE store_issuers ADD COLUMN series_generation integer NOT NULL DEFAULT 1;
            CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'billing records are append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
            END $$;
            CREATE TRIGGER invoices_append_only BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION refuse_change();
            CREATE TRIGGER invoices_never_truncated BEFORE TRUNCATE ON invoices FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
            """),
        // An invoice's issuer is the issuer of the chain it is in: every issuing transaction locks that chain's row,
        // which references the issuer, and an issuer is never deleted nor renamed (refused below). Checked again row
        // by row, the foreign key cost PostgreSQL a fifth of its work per invoice (a query per row at the end of
        // each COPY).
        Migration(
            12, "an invoice's issuer is its chain's",
            """
            ALTER TABLE invoices DROP CONSTRAINT invoices_issuer_tax_id_fkey;
            CREATE FUNCTION refuse_issuer_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.tax_id = OLD.tax_id THEN RETURN NEW; END IF;
                RAISE EXCEPTION 'issuers are never deleted nor renamed: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
            END $$;
            CREATE TRIGGER issuers_kept BEFORE UPDATE OR DELETE ON issuers FOR EACH ROW EXECUTE FUNCTION refuse_issuer_change();
            CREATE TRIGGER issuers_never_truncated BEFORE TRUNCATE ON issuers FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
            """),
    ]

    /// Which of `taxIds` are customers under the equivalence surcharge.
    static func surchargeCustomers(among taxIds: Set<String>, on connection: PostgresConnection) throws -> Set<String> {
        guard !taxIds.isEmpty else { return [] }
        return Set(try connection.query("SELECT tax_id FROM surcharge_customers WHERE tax_id = ANY($1::text[])", [PostgresArrays.text(taxIds)])
            .map { try $0.decode(String.self, at: 0) })
    }

    /// A page of a store's invoices and credit notes issued between two dates (inclusive), oldest first (by date,
    /// series and number, which is also the cursor), each with its sort key.
    static func documents(store: String, from: String, to: String, page: PageRequest, database: Database) async throws -> [(json: String, key: [String])] {
        let after = page.after ?? ["0001-01-01", "", "0"]
        return try await database.query(
            """
            SELECT document, issue_date::text AS key_date, series AS key_series, number::text AS key_number FROM invoices
            WHERE store_id = $1 AND issue_date BETWEEN $2::date AND $3::date AND document IS NOT NULL
              AND (issue_date, series, number) > ($5::date, $6::text, $7::bigint)
            ORDER BY issue_date, series, number LIMIT $4
            """, [store, from, to, page.limit + 1, after[0], after[1], after[2]]
        ).map { (try $0.decode(String.self, at: 0), [try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2), try $0.decode(String.self, at: 3)]) }
    }

    static func document(series: String, number: Int64, database: Database) async throws -> String? {
        try await database.query(
            "SELECT document FROM invoices WHERE series = $1 AND number = $2 AND document IS NOT NULL", [series, number]
        ).first?.decode(String.self, at: 0)
    }

    /// The billing record (RegistroAlta) of an invoice, as it was generated.
    static func record(series: String, number: Int64, database: Database) async throws -> String? {
        try await database.query(
            "SELECT record FROM invoices WHERE series = $1 AND number = $2 AND record IS NOT NULL", [series, number]
        ).first?.decode(String.self, at: 0)
    }

    /// The series an invoice goes in: one per store, issuer and year for invoices, another for credit notes. A store's
    /// first issuer writes `S001-2026`; when the store changes issuer (a franchise sold), the new one starts
    /// `S001-2026-2` from 1 and the old series stays closed. A store id longer than 24 characters is shortened (its
    /// first 15, `~` and 8 hex digits of its SHA-256), so that `<series>/<number>` always fits VERI*FACTU's 60.
    static func seriesCode(storeId: String, year: Int, creditNote: Bool, generation: Int = 1) -> String {
        var store = storeId
        if store.utf8.count > 24 {
            let digest = SHA256.hash(data: Array(storeId.utf8)).prefix(4).map { String($0, radix: 16, uppercase: true) }
            store = String(storeId.prefix(15)) + "~" + digest.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        }
        let code = "\(store)-\(year)" + (generation > 1 ? "-\(generation)" : "")
        return creditNote ? "R-" + code : code
    }

    static func addIssuer(_ issuer: Issuer, stores: [String], on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO issuers (tax_id, legal_name, address) VALUES ($1, $2, $3)
            ON CONFLICT (tax_id) DO UPDATE SET legal_name = excluded.legal_name, address = excluded.address
            """, [issuer.taxId, issuer.legalName, issuer.address])
        for store in stores {
            // A new issuer for the store is a new generation of its series: the old issuer's stay closed.
            try connection.query(
                """
                INSERT INTO store_issuers (store_id, issuer_tax_id) VALUES ($1, $2)
                ON CONFLICT (store_id) DO UPDATE SET issuer_tax_id = excluded.issuer_tax_id,
                    series_generation = store_issuers.series_generation + 1
                WHERE store_issuers.issuer_tax_id <> excluded.issuer_tax_id
                """, [store, issuer.taxId])
        }
    }

    /// The issuer of each of `stores` that has one, with the generation of the store's series.
    static func issuers(of stores: Set<String>, on connection: PostgresConnection) throws -> [String: StoreIssuer] {
        guard !stores.isEmpty else { return [:] }
        var issuers: [String: StoreIssuer] = [:]
        for row in try connection.query(
            """
            SELECT s.store_id, i.tax_id, i.legal_name, i.address, s.series_generation
            FROM store_issuers s JOIN issuers i ON i.tax_id = s.issuer_tax_id
            WHERE s.store_id = ANY($1::text[])
            """, [PostgresArrays.text(stores)])
        {
            issuers[try row.decode(at: 0)] = StoreIssuer(
                issuer: Issuer(taxId: try row.decode(at: 1), legalName: try row.decode(at: 2), address: try row.decode(at: 3)),
                seriesGeneration: Int(try row.decode(Int64.self, at: 4)))
        }
        return issuers
    }

    /// The end of an issuer's chain: the last fingerprint and how many records there are.
    struct ChainHead: Sendable, Equatable {
        var lastFingerprint = ""
        var records: Int64 = 0
        /// The last record's invoice, as the next record names it (`RegistroAnterior`).
        var lastSeriesNumber = ""
        /// `dd-mm-yyyy`.
        var lastIssueDate = ""

        func previous(issuerTaxId: String) -> RecordReference? {
            records == 0 ? nil
                : RecordReference(issuerTaxId: issuerTaxId, seriesNumber: lastSeriesNumber, issueDate: lastIssueDate, fingerprint: lastFingerprint)
        }
    }

    /// Locks the chains of `taxIds`, always in one order, and returns where each ends. Every transaction that issues
    /// conventionally takes these locks first: two that share an issuer are serialised on its chain before they touch
    /// its series, so they can neither deadlock nor number one series at once. Taking them again in the same
    /// transaction is free. `waiting: false` fails at once (`55P03`) rather than wait for a lock another holds.
    @discardableResult
    static func lockChains(of taxIds: Set<String>, waiting: Bool = true, on connection: PostgresConnection) throws -> [String: ChainHead] {
        guard !taxIds.isEmpty else { return [:] }
        try connection.query(
            """
            INSERT INTO chains (issuer_tax_id) SELECT t FROM unnest($1::text[]) t
            WHERE NOT EXISTS (SELECT 1 FROM chains WHERE issuer_tax_id = t) ORDER BY 1 ON CONFLICT DO NOTHING
            """, [PostgresArrays.text(taxIds)])
        return try chainHeads(of: taxIds, lock: waiting ? .waiting : .nowait, on: connection)
    }

    /// How a read locks the rows it reads.
    enum RowLock: String {
        case none = ""
        case waiting = "FOR UPDATE"
        /// Fails at once (`55P03`) when another transaction holds one of the rows.
        case nowait = "FOR UPDATE NOWAIT"
    }

    /// Where the chains of `taxIds` end as committed, locked with `lock` (a chain without a row yet is absent).
    static func chainHeads(of taxIds: Set<String>, lock: RowLock = .none, on connection: PostgresConnection) throws -> [String: ChainHead] {
        guard !taxIds.isEmpty else { return [:] }
        var heads: [String: ChainHead] = [:]
        for row in try connection.query(
            """
            SELECT issuer_tax_id, last_fingerprint, records, last_series_number, last_issue_date
            FROM chains WHERE issuer_tax_id = ANY($1::text[]) ORDER BY issuer_tax_id \(lock.rawValue)
            """,
            [PostgresArrays.text(taxIds)])
        {
            heads[try row.decode(at: 0)] = ChainHead(
                lastFingerprint: try row.decode(at: 1), records: try row.decode(at: 2), lastSeriesNumber: try row.decode(at: 3),
                lastIssueDate: try row.decode(at: 4))
        }
        return heads
    }

    /// The next number of each of `codes` that exists (a series not yet created is absent), locked with `lock`.
    static func nextNumbers(of codes: Set<String>, lock: RowLock = .none, on connection: PostgresConnection) throws -> [String: Int64] {
        guard !codes.isEmpty else { return [:] }
        var next: [String: Int64] = [:]
        for row in try connection.query(
            "SELECT code, next_number FROM series WHERE code = ANY($1::text[]) ORDER BY code \(lock.rawValue)", [PostgresArrays.text(codes)])
        {
            next[try row.decode(at: 0)] = try row.decode(at: 1)
        }
        return next
    }

    /// The invoices already issued for any of `saleIds`, by sale.
    static func knownInvoices(_ saleIds: Set<String>, on connection: PostgresConnection) throws -> [String: KnownInvoice] {
        guard !saleIds.isEmpty else { return [:] }
        var known: [String: KnownInvoice] = [:]
        for row in try connection.query(
            """
            SELECT sale_id::text, kind, series || '/' || number, store_id, terminal_id, document, to_char(issue_date, 'DD-MM-YYYY'),
                   issuer_tax_id
            FROM invoices WHERE sale_id = ANY($1::uuid[])
            """, [PostgresArrays.text(saleIds)])
        {
            let seriesNumber: String = try row.decode(at: 2)
            guard let kind = InvoiceKind(rawValue: try row.decode(at: 1)) else {
                throw PostgresError(.decodingFailed, "unknown invoice kind in \(seriesNumber)")
            }
            let document = try row.decodeIfPresent(String.self, at: 5)
            let storeId: String = try row.decode(at: 3)
            let terminalId: String = try row.decode(at: 4)
            known[try row.decode(at: 0)] = KnownInvoice(
                kind: kind, seriesNumber: seriesNumber, issueDate: try row.decode(at: 6), issuerTaxId: try row.decode(at: 7),
                announcement: document.map {
                    InvoiceAnnouncement(kind: kind, seriesNumber: seriesNumber, storeId: storeId, terminalId: terminalId, body: Array($0.utf8))
                },
                customer: kind == .substitute ? try document.flatMap { try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data($0.utf8)).customer } : nil)
        }
        return known
    }

    /// An invoice as issued: its announcement, which names it (its record is stored and goes on in the batch).
    struct IssuedInvoice: Sendable {
        var announcement: InvoiceAnnouncement

        var seriesNumber: String { announcement.seriesNumber }
    }

    /// Numbers `invoices` in their series and links them to their issuers' chains, in order, and stores them with
    /// their documents, in the caller's transaction, which holds the issuers' chains (``lockChains(of:waiting:on:)``;
    /// `heads` are what it returned, when the caller has locked them already): one statement to read the series'
    /// numbers, one COPY for the invoices and three statements to move series and chains on, whatever the batch's
    /// size.
    static func issue(
        _ invoices: [PlannedInvoice], generatedAt: String, heads lockedHeads: [String: ChainHead]? = nil,
        system: InvoicingSystem = InvoicingSystem(), on connection: PostgresConnection
    ) throws -> [IssuedInvoice] {
        guard !invoices.isEmpty else { return [] }
        let heads = try lockedHeads ?? lockChains(of: Set(invoices.map(\.draft.issuer.taxId)), on: connection)
        let start = ChainEnds(heads: heads, next: try nextNumbers(of: Set(invoices.map(\.series)), on: connection))
        let batch = NumberedBatch(invoices, generatedAt: generatedAt, from: start)
        let issued = try store(batch, generatedAt: generatedAt, system: system, on: connection)
        try settle(batch, verifying: false, on: connection)
        return issued
    }

    /// Stores a numbered batch's invoices with their documents and records, in one binary COPY: the document and the
    /// record (most of each row) go as they are, neither escaped here nor unescaped by the server; sent as the rows
    /// are written, so that the server inserts the first invoices while the next are built.
    static func store(
        _ batch: NumberedBatch, generatedAt: String, system: InvoicingSystem, on connection: PostgresConnection
    ) throws -> [IssuedInvoice] {
        var issued: [IssuedInvoice] = []
        issued.reserveCapacity(batch.invoices.count)
        let columns = [
            "series", "number", "sale_id", "kind", "issuer_tax_id", "store_id", "terminal_id", "issue_date", "total_cents",
            "tax_cents", "chain_position", "previous_fingerprint", "fingerprint", "generated_at", "document", "record",
        ]
        var spans = SpanIds()
        try connection.copyStreaming(into: "invoices", columns: columns) { stream in
            for numbered in batch.invoices {
                let invoice = numbered.invoice
                let draft = invoice.draft
                let record = numbered.record
                let body = InvoiceIssuedV1(
                    invoice, series: invoice.series, number: numbered.number, record: record, fingerprint: numbered.fingerprint,
                    corrects: numbered.corrects?.seriesNumber
                ).json()
                let billingRecord = BillingRecordXML(
                    record: record, fingerprint: numbered.fingerprint, issuerName: draft.issuer.legalName, draft: draft,
                    corrects: numbered.corrects, substitutes: invoice.substitutes, previous: numbered.previous, system: system
                ).bytes
                guard let saleUUID = UUIDText.parse(draft.saleId) else {
                    throw PostgresError(.queryFailed, "sale id '\(draft.saleId.prefix(60))' is not a UUID")
                }
                stream.rows.startRow(fields: 16)
                stream.rows.append(text: invoice.series)
                stream.rows.append(bigint: numbered.number)
                stream.rows.append(uuid: saleUUID)
                stream.rows.append(text: draft.kind.rawValue)
                stream.rows.append(text: draft.issuer.taxId)
                stream.rows.append(text: draft.storeId)
                stream.rows.append(text: draft.terminalId)
                stream.rows.append(dateYear: invoice.issueDate.year, month: invoice.issueDate.month, day: invoice.issueDate.day)
                stream.rows.append(bigint: draft.totalCents)
                stream.rows.append(bigint: draft.totalTaxCents + draft.totalSurchargeCents)
                stream.rows.append(bigint: numbered.position)
                stream.rows.append(text: record.previousFingerprint)
                stream.rows.append(text: numbered.fingerprint)
                stream.rows.append(text: generatedAt)
                body.withUnsafeBufferPointer { stream.rows.append(utf8: $0) }
                billingRecord.withUnsafeBufferPointer { stream.rows.append(utf8: $0) }
                try stream.rowEnded()
                issued.append(
                    IssuedInvoice(
                        announcement: InvoiceAnnouncement(
                            kind: draft.kind, seriesNumber: record.seriesNumber, storeId: draft.storeId, terminalId: draft.terminalId,
                            body: body, traceparent: TraceContext.child(of: invoice.traceparent, using: &spans))))
            }
        }
        return issued
    }

    /// Moves the series and chains a numbered batch used on to where it leaves them, creating the series it opened.
    /// `verifying`: the batch was numbered from where the batch before it would leave them, without their locks
    /// (see ``IssuingHandoff``); they are locked now, without waiting, and must still be where it began, or this
    /// throws (``IssuingHandoff/Mismatch``, or PostgreSQL's `55P03` when another holds them) and the transaction
    /// must roll back.
    static func settle(_ batch: NumberedBatch, verifying: Bool, on connection: PostgresConnection) throws {
        let issuers = batch.issuers
        let series = batch.series
        if verifying {
            let heads = try lockChains(of: issuers, waiting: false, on: connection)
            let next = try nextNumbers(of: series, lock: .nowait, on: connection)
            guard issuers.allSatisfy({ heads[$0, default: ChainHead()] == batch.start.heads[$0, default: ChainHead()] }),
                series.allSatisfy({ next[$0] == batch.start.next[$0] })
            else { throw IssuingHandoff.Mismatch() }
        }
        let opened = series.filter { batch.start.next[$0] == nil }.sorted()
        if !opened.isEmpty {
            let first = opened.map { code in batch.invoices.first { $0.invoice.series == code }!.invoice }
            try connection.query(
                """
                INSERT INTO series (code, issuer_tax_id, store_id, year, credit_notes, next_number)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::boolean[], $6::bigint[])
                """,
                [
                    PostgresArrays.text(opened), PostgresArrays.text(first.map(\.draft.issuer.taxId)), PostgresArrays.text(first.map(\.draft.storeId)),
                    PostgresArrays.bigint(first.map { Int64($0.issueDate.year) }), PostgresArrays.boolean(first.map(\.draft.kind.isCreditNote)),
                    PostgresArrays.bigint(opened.map { batch.end.next[$0]! }),
                ])
        }
        let existing = series.filter { batch.start.next[$0] != nil }.sorted()
        if !existing.isEmpty {
            try connection.query(
                "UPDATE series s SET next_number = u.next FROM unnest($1::text[], $2::bigint[]) AS u(code, next) WHERE s.code = u.code",
                [PostgresArrays.text(existing), PostgresArrays.bigint(existing.map { batch.end.next[$0]! })])
        }
        let chains = issuers.sorted().map { ($0, batch.end.heads[$0]!) }
        try connection.query(
            """
            UPDATE chains c SET last_fingerprint = u.fingerprint, records = u.records, last_series_number = u.series_number,
                last_issue_date = u.issue_date
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS u(issuer, fingerprint, records, series_number, issue_date)
            WHERE c.issuer_tax_id = u.issuer
            """,
            [
                PostgresArrays.text(chains.map(\.0)), PostgresArrays.text(chains.map(\.1.lastFingerprint)),
                PostgresArrays.bigint(chains.map(\.1.records)), PostgresArrays.text(chains.map(\.1.lastSeriesNumber)),
                PostgresArrays.text(chains.map(\.1.lastIssueDate)),
            ])
    }

    private static func record(_ issuerTaxId: String, _ row: Row) throws -> VerifactuRecord {
        let series: String = try row.decode(at: 1)
        let number: Int64 = try row.decode(at: 2)
        guard let kind = InvoiceKind(rawValue: try row.decode(at: 3)) else {
            throw PostgresError(.decodingFailed, "unknown invoice kind in \(series)/\(number)")
        }
        return VerifactuRecord(
            issuerTaxId: issuerTaxId, seriesNumber: "\(series)/\(number)", issueDate: try row.decode(at: 4), kind: kind,
            totalTax: Money.decimal(try row.decode(at: 5)), totalAmount: Money.decimal(try row.decode(at: 6)),
            previousFingerprint: try row.decode(at: 7), generatedAt: try row.decode(at: 8))
    }

    /// The result of checking one issuer's chain.
    struct ChainCheck: Sendable, Equatable {
        var records: Int
        /// The first record whose fingerprint does not match its contents or whose previous link is wrong.
        var firstBroken: String?
    }

    /// Recomputes every fingerprint of `issuerTaxId`'s chain in order (billing records, their corrections and annulment records) and
    /// names the first broken link.
    static func verifyChain(issuerTaxId: String, on connection: PostgresConnection) throws -> ChainCheck {
        let rows = try connection.query(
            """
            SELECT false, series, number, kind, to_char(issue_date, 'DD-MM-YYYY'), tax_cents, total_cents, previous_fingerprint,
                   generated_at, fingerprint, chain_position
            FROM invoices WHERE issuer_tax_id = $1
            UNION ALL
            SELECT true, c.series, c.number, i.kind, to_char(i.issue_date, 'DD-MM-YYYY'), 0, 0, c.previous_fingerprint,
                   c.generated_at, c.fingerprint, c.chain_position
            FROM cancellations c JOIN invoices i USING (series, number) WHERE c.issuer_tax_id = $1
            UNION ALL
            SELECT false, c.series, c.number, i.kind, to_char(i.issue_date, 'DD-MM-YYYY'), i.tax_cents, i.total_cents, c.previous_fingerprint,
                   c.generated_at, c.fingerprint, c.chain_position
            FROM corrections c JOIN invoices i USING (series, number) WHERE c.issuer_tax_id = $1
            ORDER BY 11
            """, [issuerTaxId])
        var previous = ""
        for row in rows {
            let record = try record(issuerTaxId, row)
            let stored: String = try row.decode(at: 9)
            let computed =
                try row.decode(Bool.self, at: 0)
                ? VerifactuAnnulment(
                    issuerTaxId: issuerTaxId, seriesNumber: record.seriesNumber, issueDate: record.issueDate,
                    previousFingerprint: record.previousFingerprint, generatedAt: record.generatedAt
                ).fingerprint
                : record.fingerprint
            if record.previousFingerprint != previous || computed != stored {
                return ChainCheck(records: rows.count, firstBroken: record.seriesNumber)
            }
            previous = stored
        }
        return ChainCheck(records: rows.count, firstBroken: nil)
    }
}
