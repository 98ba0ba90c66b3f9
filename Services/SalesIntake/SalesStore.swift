import Contracts
import SaleValidation
import PostgresClient

/// The `sales` schema: every recorded sale once, keyed by `saleId`, with one sale per terminal and receipt number.
enum SalesStore {
    static let migrations: [Migration] = [
        CommonMigrations.handledMessages,
        Migration(
            2, "sales",
            """
            CREATE TABLE sales (
                sale_id uuid PRIMARY KEY,
                store_id text COLLATE "C" NOT NULL,
                terminal_id text COLLATE "C" NOT NULL,
                receipt_number bigint NOT NULL,
                occurred_at timestamptz NOT NULL,
                cashier_id text NOT NULL,
                currency text NOT NULL,
                total bigint NOT NULL,
                customer_tax_id text,
                return_of uuid,
                payload text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT sales_one_per_receipt UNIQUE (terminal_id, receipt_number)
            )
            """),
        // The order sales were recorded in (a COPY numbers its rows in order): what partitioned intake promises per
        // terminal, and what its test checks.
        Migration(3, "recording order", "ALTER TABLE sales ADD COLUMN recorded_seq bigserial"),
        // The same rule with the receipt number first: each terminal's numbers only grow, so new entries land at the
        // right end of the index instead of at one place per terminal, and a comparison usually ends at the number
        // (what it saved PostgreSQL per sale is in BENCHMARKS.md).
        Migration(
            4, "receipt index by number first",
            """
            ALTER TABLE sales DROP CONSTRAINT sales_one_per_receipt,
                ADD CONSTRAINT sales_one_per_receipt UNIQUE (receipt_number, terminal_id)
            """),
    ]

    static let columns = [
        "sale_id", "store_id", "terminal_id", "receipt_number", "occurred_at", "cashier_id", "currency", "total",
        "customer_tax_id", "return_of", "payload",
    ]

    /// What recording a batch did with each sale: every sale not named here was recorded now.
    struct Outcome: Sendable {
        /// How many sales were recorded now.
        var recordedCount = 0
        /// Sale ids already recorded before (a redelivery): nothing written.
        var duplicates: Set<String> = []
        /// Sale ids refused because their terminal already used their receipt number for another sale.
        var receiptConflicts: Set<String> = []

        /// Every sale of the batch recorded now (the common case).
        var recordedAll: Bool { duplicates.isEmpty && receiptConflicts.isEmpty }

        func wasRecorded(_ saleId: String) -> Bool {
            recordedAll || (!duplicates.contains(saleId) && !receiptConflicts.contains(saleId))
        }
    }

    /// Records `sales` (distinct ids, distinct receipts), given as `rows` too (``SaleRows``), in the caller's transaction.
    ///
    /// The common case, all new, is one COPY straight into `sales`. When any already exists (a redelivery, or a
    /// receipt conflict) the COPY fails as a whole; the batch then goes through a staging table and
    /// `INSERT … ON CONFLICT DO NOTHING`, which tells the new from the old.
    static func record(_ sales: [ValidatedSale], rows: BinaryCopyRows, on connection: PostgresConnection) throws -> Outcome {
        guard !sales.isEmpty else { return Outcome() }
        if try copyAllNew(rows, on: connection) { return Outcome(recordedCount: sales.count) }
        try connection.execute(
            script: "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_sales (LIKE sales INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        try connection.copy(into: "incoming_sales", columns: columns, data: rows)
        let inserted = try connection.query(
            "INSERT INTO sales SELECT * FROM incoming_sales ON CONFLICT DO NOTHING RETURNING sale_id::text")
        let conflicts = try connection.query(
            "SELECT i.sale_id::text FROM incoming_sales i WHERE NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = i.sale_id)")
        let recorded = Set(try inserted.map { try $0.decode(String.self, at: 0) })
        let receiptConflicts = Set(try conflicts.map { try $0.decode(String.self, at: 0) })
        let duplicates = Set(sales.map(\.saleId)).subtracting(recorded).subtracting(receiptConflicts)
        return Outcome(recordedCount: recorded.count, duplicates: duplicates, receiptConflicts: receiptConflicts)
    }

    /// COPY straight into `sales` under a savepoint; false (and nothing written) when some sale already exists.
    private static func copyAllNew(_ rows: BinaryCopyRows, on connection: PostgresConnection) throws -> Bool {
        try connection.unlessDuplicate { try connection.copy(into: "sales", columns: columns, data: rows) } != nil
    }

    /// One recorded sale as the HTTP API shows it, or nil.
    static func sale(id: String, database: Database) async throws -> String? {
        let rows = try await database.query(
            "SELECT json_build_object('saleId', sale_id, 'recordedAt', recorded_at, 'sale', payload::json)::text FROM sales WHERE sale_id = $1::uuid",
            [id])
        return try rows.first?.decode(String.self, at: 0)
    }

    /// Totals over everything recorded.
    static func totals(database: Database) async throws -> String {
        let rows = try await database.query(
            """
            SELECT json_build_object(
                'sales', count(*), 'stores', count(DISTINCT store_id), 'returns', count(return_of),
                'totalCents', coalesce(sum(total), 0), 'lastRecordedAt', max(recorded_at))::text
            FROM sales
            """)
        return try rows[0].decode(String.self, at: 0)
    }
}

/// A batch of sales in COPY's binary format, for `sales`' columns (``SalesStore/columns``), built a sale at a time as
/// each is accepted: the server then parses no UUID, number or timestamp.
struct SaleRows {
    private var rows: BinaryCopyRows
    /// A row's field count, lengths and fields other than the body, with identifiers at their longest (48 bytes).
    private static let mostBytesBesidesBody = 2 + 11 * 4 + 16 + 48 + 48 + 8 + 8 + 48 + 3 + 8 + 20 + 16

    /// Room for `count` sales whose bodies take `bodyBytes` in all: the buffer never grows (growing copies it).
    init(count: Int, bodyBytes: Int) {
        rows = BinaryCopyRows(reservingBytes: 64 + bodyBytes + count * Self.mostBytesBesidesBody)
    }

    mutating func add(_ validated: ValidatedSale) {
        rows.startRow(fields: SalesStore.columns.count)
        rows.append(uuid: validated.saleUUID)
        rows.append(text: validated.storeId)
        rows.append(text: validated.terminalId)
        rows.append(bigint: validated.receiptNumber)
        rows.append(timestampMicrosecondsSince2000: validated.occurredAtMicrosecondsSince2000)
        rows.append(text: validated.cashierId)
        rows.append(text: validated.currency)
        rows.append(bigint: validated.total)
        rows.append(text: validated.customerTaxId)
        rows.append(uuid: validated.returnOf)
        validated.body.withUnsafeBufferPointer { rows.append(utf8: $0) }
    }

    /// The rows with COPY's trailer. Finished in place: a `consuming` version held a second reference to the bytes
    /// while appending the trailer, which copied the whole batch.
    mutating func finish() -> BinaryCopyRows {
        rows.finish()
        return rows
    }
}
