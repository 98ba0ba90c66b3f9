import ByteText
import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, used synchronously by the thread that owns it (see ``Database``).
///
/// Every value goes to the server as a parameter; SQL text is never built from values.
package final class PostgresConnection {
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
            values.append("-c search_path=\(Self.optionValue(PostgresIdentifier.quote(searchPath)))")
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
    package func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> QueryResult {
        let connection = try live()
        let values = parameters.map { parameter -> String? in
            if case .text(let text) = parameter.postgresValue { return text }
            return nil
        }
        // libpq takes parameters as C strings: a NUL would cut the value short without a word. PostgreSQL's text
        // cannot hold one anyway; refuse it as the server refuses other values it cannot store (class 22).
        for (index, value) in values.enumerated() where value?.utf8.contains(0) == true {
            throw PostgresError(.queryFailed, "parameter $\(index + 1) holds a NUL character, which text cannot store", sqlState: "22021")
        }
        let result = withOptionalCStringArray(values) { pointers in
            PQexecParams(connection, sql, Int32(values.count), nil, pointers, nil, nil, 0)
        }
        return try check(result, sql: sql)
    }

    /// Runs SQL text without parameters, possibly several statements (migrations, `BEGIN`, `COMMIT`).
    package func execute(script sql: String) throws(PostgresError) {
        let connection = try live()
        try check(PQexec(connection, sql), sql: sql)
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws.
    package func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
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

    /// Runs `body` under a savepoint and returns what it returned; nil, with everything it wrote undone, when a
    /// statement of it met a row that is there already (a unique violation). For an insert that nearly always
    /// conflicts with nothing: done plainly first, and the careful way only after a nil.
    package func unlessDuplicate<T>(_ body: () throws -> T) throws -> T? {
        try execute(script: "SAVEPOINT unless_duplicate")
        let value: T
        do {
            value = try body()
        } catch let error as PostgresError where error.isUniqueViolation {
            try execute(script: "ROLLBACK TO SAVEPOINT unless_duplicate")
            return nil
        }
        try execute(script: "RELEASE SAVEPOINT unless_duplicate")
        return value
    }

    /// Rolls back a transaction left open (by a failed statement or a body that threw).
    func rollbackIfNeeded() {
        guard let connection, PQstatus(connection) == CONNECTION_OK else { return }
        if PQtransactionStatus(connection) != PQTRANS_IDLE { PQclear(PQexec(connection, "ROLLBACK")) }
    }

    /// Streams rows into `table` with `COPY … FROM STDIN` (text format); returns how many were written.
    @discardableResult
    package func copy<Rows: Sequence>(into table: String, columns: [String], rows: Rows) throws(PostgresError) -> Int
    where Rows.Element == [any PostgresEncodable] {
        var data = CopyRows()
        for row in rows {
            for field in row { data.append(field.postgresValue) }
            data.endRow()
        }
        return try copy(into: table, columns: columns, data: data)
    }

    /// Sends rows already laid out by ``CopyRows`` (no boxing of values); returns how many were written.
    @discardableResult
    package func copy(into table: String, columns: [String], data: CopyRows) throws(PostgresError) -> Int {
        try copy(into: table, columns: columns, bytes: data.bytes, options: "")
    }

    /// Sends rows in COPY's binary format, the cheapest for the server (after ``BinaryCopyRows/finish()``); returns
    /// how many were written.
    @discardableResult
    package func copy(into table: String, columns: [String], data: BinaryCopyRows) throws(PostgresError) -> Int {
        precondition(data.isComplete, "call finish() on the rows before sending them")
        return try copy(into: table, columns: columns, bytes: data.bytes, options: " WITH (FORMAT binary)")
    }

    /// A binary COPY sent while it is written: `write` lays out rows in the stream it is given, and every
    /// `chunkBytes` or so they go to the server, which inserts them while the next are laid out (the caller's work
    /// and the server's overlap, on two processes). Returns how many rows were written. If `write` throws, the COPY
    /// is abandoned and the error rethrown (the caller's transaction is then to be rolled back).
    @discardableResult
    package func copyStreaming(
        into table: String, columns: [String], chunkBytes: Int = 1 << 16, _ write: (inout BinaryCopyStream) throws -> Void
    ) throws -> Int {
        let connection = try live()
        let sql = try startCopy(into: table, columns: columns, options: " WITH (FORMAT binary)", on: connection)
        var stream = BinaryCopyStream(chunkBytes: chunkBytes) { (bytes) throws(PostgresError) in try Self.put(bytes, on: connection) }
        do {
            try write(&stream)
            try stream.finish()
        } catch {
            _ = PQputCopyEnd(connection, "abandoned by the client")
            while let result = PQgetResult(connection) { PQclear(result) }
            throw error
        }
        return try endCopy(sql: sql, on: connection)
    }

    private func startCopy(into table: String, columns: [String], options: String, on connection: OpaquePointer) throws(PostgresError) -> String {
        let columnList = columns.map(PostgresIdentifier.quote).joined(separator: ", ")
        let sql = "COPY \(Self.quoteQualified(table)) (\(columnList)) FROM STDIN\(options)"
        let start = PQexec(connection, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try check(start, sql: sql)
            throw PostgresError(.copyFailed, "COPY did not start")
        }
        PQclear(start)
        return sql
    }

    private static func put(_ bytes: UnsafeBufferPointer<UInt8>, on connection: OpaquePointer) throws(PostgresError) {
        let sent = bytes.withMemoryRebound(to: CChar.self) { chars -> Bool in
            var offset = 0
            while offset < chars.count {
                let length = min(1 << 18, chars.count - offset)
                guard PQputCopyData(connection, chars.baseAddress! + offset, Int32(length)) == 1 else { return false }
                offset += length
            }
            return true
        }
        guard sent else {
            throw PostgresError(.copyFailed, "sending COPY data failed: \(String(cString: PQerrorMessage(connection)).trimmed)")
        }
    }

    private func copy(into table: String, columns: [String], bytes: [UInt8], options: String) throws(PostgresError) -> Int {
        let connection = try live()
        let sql = try startCopy(into: table, columns: columns, options: options, on: connection)
        try bytes.withUnsafeBufferPointer { (bytes) throws(PostgresError) in try Self.put(bytes, on: connection) }
        return try endCopy(sql: sql, on: connection)
    }

    private func endCopy(sql: String, on connection: OpaquePointer) throws(PostgresError) -> Int {
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError(.copyFailed, "ending COPY failed: \(String(cString: PQerrorMessage(connection)).trimmed)")
        }
        var written = 0
        var failure: PostgresError?
        while let result = PQgetResult(connection) {
            do {
                written += try check(result, sql: sql).affectedRows
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
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

    /// A value in libpq's `options` (which splits on spaces): backslashes and spaces escaped with a backslash.
    static func optionValue(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == " " { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    static func quoteQualified(_ name: String) -> String {
        name.split(separator: ".", maxSplits: 1).map { PostgresIdentifier.quote(String($0)) }.joined(separator: ".")
    }
}

/// Rows in COPY's text format, written straight into one buffer: tab-separated fields, `\N` for null, backslash
/// escapes for the characters that frame the format.
package struct CopyRows: Sendable {
    package private(set) var bytes: [UInt8] = []
    package private(set) var rowCount = 0
    private var fieldsInRow = 0

    package init(reservingBytes capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    package mutating func append(_ text: String) {
        text.withUTF8Bytes { appendEscaped($0) }
    }

    /// Text given as its UTF-8 bytes (a message body, say), without making a String of it first.
    package mutating func append(utf8 text: [UInt8]) {
        text.withUnsafeBufferPointer { appendEscaped($0) }
    }

    /// Copies runs that need no escaping in one go; only `\`, tab, newline and carriage return are rewritten.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        var runStart = 0
        for index in 0..<utf8.count {
            let escaped: UInt8
            switch utf8[index] {
            case 0x5C: escaped = 0x5C
            case 0x09: escaped = 0x74
            case 0x0A: escaped = 0x6E
            case 0x0D: escaped = 0x72
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            bytes.append(0x5C)
            bytes.append(escaped)
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
    }

    package mutating func append(_ text: String?) {
        if let text { append(text) } else { appendNull() }
    }

    package mutating func append(_ number: Int64) {
        separate()
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        // The digits are written backwards into a buffer on the stack (a tuple: no allocation per number), 20 bytes
        // for the longest, then copied out in order.
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    package mutating func append(_ value: PostgresValue) {
        switch value {
        case .null: appendNull()
        case .text(let text): append(text)
        }
    }

    package mutating func appendNull() {
        separate()
        bytes.append(contentsOf: [0x5C, 0x4E])
    }

    package mutating func endRow() {
        bytes.append(0x0A)
        fieldsInRow = 0
        rowCount += 1
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(0x09) }
        fieldsInRow += 1
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
