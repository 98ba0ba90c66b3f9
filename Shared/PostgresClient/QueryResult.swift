import CLibPQ

/// The rows a statement returned. Owns the libpq result, which is immutable and freed with this value.
package final class QueryResult: @unchecked Sendable, RandomAccessCollection {
    private let result: OpaquePointer
    package let count: Int
    package let columnCount: Int
    /// The number of rows the statement touched (`INSERT`, `UPDATE`, `DELETE`, `COPY`).
    package let affectedRows: Int

    init(_ result: OpaquePointer) {
        self.result = result
        count = Int(PQntuples(result))
        columnCount = Int(PQnfields(result))
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    deinit { PQclear(result) }

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }
    package subscript(position: Int) -> Row { Row(result: self, index: position) }

    package func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }

    func columnIndex(_ name: String) -> Int? {
        let index = Int(PQfnumber(result, name))
        return index >= 0 ? index : nil
    }

    func text(row: Int, column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) != 0 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }
}

/// One row of a ``QueryResult``.
package struct Row: Sendable {
    let result: QueryResult
    let index: Int

    /// The value in `column`, or nil when it is null.
    package func decodeIfPresent<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T? {
        guard column < result.columnCount else {
            throw PostgresError(.decodingFailed, "column \(column) does not exist (\(result.columnCount) columns)")
        }
        guard let text = result.text(row: index, column: column) else { return nil }
        guard let value = T(postgresText: text) else {
            throw PostgresError(.decodingFailed, "column '\(result.columnName(column))' holds '\(text)', not a \(T.self)")
        }
        return value
    }

    package func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard let value = try decodeIfPresent(type, at: column) else {
            throw PostgresError(.decodingFailed, "column '\(result.columnName(column))' is null")
        }
        return value
    }

    package func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws(PostgresError) -> T {
        guard let column = result.columnIndex(name) else {
            throw PostgresError(.decodingFailed, "no column named '\(name)'")
        }
        return try decode(type, at: column)
    }

    package func decodeIfPresent<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws(PostgresError) -> T? {
        guard let column = result.columnIndex(name) else {
            throw PostgresError(.decodingFailed, "no column named '\(name)'")
        }
        return try decodeIfPresent(type, at: column)
    }
}
