import Contracts
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
    ]

    static let columns = [
        "sale_id", "store_id", "terminal_id", "receipt_number", "occurred_at", "cashier_id", "currency", "total",
        "customer_tax_id", "return_of", "payload",
    ]

    /// What recording a batch did with each sale.
    struct Outcome: Sendable {
        /// Sale ids recorded now.
        var recorded: Set<String> = []
        /// Sale ids already recorded before (a redelivery): nothing written.
        var duplicates: Set<String> = []
        /// Sale ids refused because their terminal already used their receipt number for another sale.
        var receiptConflicts: Set<String> = []
    }

    /// Records `sales` (distinct ids, distinct receipts) in the caller's transaction.
    ///
    /// The common case, all new, is one COPY straight into `sales`. When any already exists (a redelivery, or a
    /// receipt conflict) the COPY fails as a whole; the batch then goes through a staging table and
    /// `INSERT … ON CONFLICT DO NOTHING`, which tells the new from the old.
    static func record(_ sales: [ValidatedSale], on connection: PostgresConnection) throws -> Outcome {
        guard !sales.isEmpty else { return Outcome() }
        let rows = copyRows(sales)
        let ids = Set(sales.map(\.saleId))
        if try copyAllNew(rows, on: connection) { return Outcome(recorded: ids) }
        try connection.execute(
            script: "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_sales (LIKE sales INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        try connection.copy(into: "incoming_sales", columns: columns, data: rows)
        let inserted = try connection.query(
            "INSERT INTO sales SELECT * FROM incoming_sales ON CONFLICT DO NOTHING RETURNING sale_id::text")
        let conflicts = try connection.query(
            "SELECT i.sale_id::text FROM incoming_sales i WHERE NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = i.sale_id)")
        let recorded = Set(try inserted.map { try $0.decode(String.self, at: 0) })
        let receiptConflicts = Set(try conflicts.map { try $0.decode(String.self, at: 0) })
        return Outcome(recorded: recorded, duplicates: ids.subtracting(recorded).subtracting(receiptConflicts), receiptConflicts: receiptConflicts)
    }

    /// COPY straight into `sales` under a savepoint; false (and nothing written) when some sale already exists.
    private static func copyAllNew(_ rows: BinaryCopyRows, on connection: PostgresConnection) throws(PostgresError) -> Bool {
        try connection.execute(script: "SAVEPOINT direct_copy")
        do {
            try connection.copy(into: "sales", columns: columns, data: rows)
        } catch {
            guard error.isUniqueViolation else { throw error }
            try connection.execute(script: "ROLLBACK TO SAVEPOINT direct_copy")
            return false
        }
        try connection.execute(script: "RELEASE SAVEPOINT direct_copy")
        return true
    }

    /// The batch in COPY's binary format: the server then parses no UUID, number or timestamp.
    private static func copyRows(_ sales: [ValidatedSale]) -> BinaryCopyRows {
        var rows = BinaryCopyRows(reservingBytes: sales.reduce(64) { $0 + $1.body.count + 200 })
        for validated in sales {
            let sale = validated.sale
            rows.startRow(fields: columns.count)
            rows.append(uuid: validated.saleId)
            rows.append(text: sale.storeId)
            rows.append(text: sale.terminalId)
            rows.append(bigint: sale.receiptNumber)
            rows.append(timestampMicrosecondsSince2000: validated.occurredAtMicrosecondsSince2000)
            rows.append(text: sale.cashierId)
            rows.append(text: sale.currency)
            rows.append(bigint: sale.total)
            rows.append(text: sale.customer?.taxId)
            rows.append(uuid: sale.returnOf?.saleId)
            validated.body.withUnsafeBufferPointer { rows.append(utf8: $0) }
        }
        rows.finish()
        return rows
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
