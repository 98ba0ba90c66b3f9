import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, used synchronously by the thread that owns it (see ``Database``).
///
/// Every value goes to the server as a parameter; SQL text is never built from values.
public final class PostgresConnection {
    private let connectionString: String
    private let searchPath: String?
    private var connection: OpaquePointer?

    init(connectionString: String, searchPath: String?) {
        self.connectionString = connectionString
        self.searchPath = searchPath
    }

    deinit { if let connection { PQfinish(connection) } }

    var isConnected: Bool {
        guard let connection else { return false }
        return PQstatus(connection) == CONNECTION_OK
    }

    /// Connects, or reconnects when the previous connection broke.
    func ensureConnected() throws(PostgresError) {
        if isConnected { return }
        if let connection { PQfinish(connection) }
        var keywords = ["dbname", "application_name", "connect_timeout"]
        var values = [connectionString, "trastienda", "5"]
        if let searchPath {
            keywords.append("options")
            values.append("-c search_path=\(searchPath)")
        }
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        self.connection = connection
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            throw PostgresError(.connectionFailed, "cannot connect to PostgreSQL: \(message.trimmed)")
        }
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    private func live() throws(PostgresError) -> OpaquePointer {
        try ensureConnected()
        return connection!
    }

    /// Runs one statement with `$1, $2, …` parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> QueryResult {
        let connection = try live()
        let values = parameters.map { parameter -> String? in
            if case .text(let text) = parameter.postgresValue { return text }
            return nil
        }
        let result = withOptionalCStringArray(values) { pointers in
            PQexecParams(connection, sql, Int32(values.count), nil, pointers, nil, nil, 0)
        }
        return try check(result, sql: sql)
    }

    /// Runs SQL text without parameters, possibly several statements (migrations, `BEGIN`, `COMMIT`).
    public func execute(script sql: String) throws(PostgresError) {
        let connection = try live()
        try check(PQexec(connection, sql), sql: sql)
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute(script: "BEGIN")
        do {
            let value = try body(self)
            try execute(script: "COMMIT")
            return value
        } catch {
            rollbackIfNeeded()
            throw error
        }
    }

    /// Rolls back a transaction left open (by a failed statement or a body that threw).
    func rollbackIfNeeded() {
        guard let connection, PQstatus(connection) == CONNECTION_OK else { return }
        if PQtransactionStatus(connection) != PQTRANS_IDLE { PQclear(PQexec(connection, "ROLLBACK")) }
    }

    /// Streams rows into `table` with `COPY … FROM STDIN` (text format); returns how many were written.
    @discardableResult
    public func copy<Rows: Sequence>(into table: String, columns: [String], rows: Rows) throws(PostgresError) -> Int
    where Rows.Element == [any PostgresEncodable] {
        let connection = try live()
        let columnList = columns.map(PostgresIdentifier.quote).joined(separator: ", ")
        let sql = "COPY \(Self.quoteQualified(table)) (\(columnList)) FROM STDIN"
        let start = PQexec(connection, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try check(start, sql: sql)
            throw PostgresError(.copyFailed, "COPY did not start")
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        func flush() throws(PostgresError) {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else {
                throw PostgresError(.copyFailed, "sending COPY data failed: \(String(cString: PQerrorMessage(connection)).trimmed)")
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, field) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                CopyText.append(field.postgresValue, to: &buffer)
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 { try flush() }
        }
        try flush()
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError(.copyFailed, "ending COPY failed: \(String(cString: PQerrorMessage(connection)).trimmed)")
        }
        var written = 0
        while let result = PQgetResult(connection) {
            written += try check(result, sql: sql).affectedRows
        }
        return written
    }

    @discardableResult
    private func check(_ result: OpaquePointer?, sql: String) throws(PostgresError) -> QueryResult {
        guard let result else {
            let message = connection.map { String(cString: PQerrorMessage($0)).trimmed } ?? "no connection"
            throw PostgresError(.queryFailed, "\(message) (statement: \(sql.prefix(200)))")
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result)
        default:
            let message = String(cString: PQresultErrorMessage(result)).trimmed
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            PQclear(result)
            let code: PostgresError.Code = isConnected ? .queryFailed : .connectionFailed
            throw PostgresError(code, "\(message) (statement: \(sql.prefix(200)))", sqlState: state)
        }
    }

    static func quoteQualified(_ name: String) -> String {
        name.split(separator: ".", maxSplits: 1).map { PostgresIdentifier.quote(String($0)) }.joined(separator: ".")
    }
}

/// COPY's text format: tab-separated fields, `\N` for null, backslash escapes for the characters that frame it.
enum CopyText {
    static func append(_ value: PostgresValue, to buffer: inout [UInt8]) {
        guard case .text(let text) = value else {
            buffer.append(contentsOf: [0x5C, 0x4E])  // \N
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
            case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
            default: buffer.append(byte)
            }
        }
    }
}

extension String {
    var trimmed: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) }) { body($0) }
}

/// Calls `body` with a NULL-terminated array of C strings (nil entries stay nil) that lives for the call.
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { for copy in copies { free(copy) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
