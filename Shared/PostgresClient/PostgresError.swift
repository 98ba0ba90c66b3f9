/// An error from the PostgreSQL client: a stable code, a message, and PostgreSQL's own SQLSTATE when it sent one.
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package init(_ rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// The server could not be reached or refused the login.
        package static let connectionFailed = Code("postgres.connection_failed")
        /// The server answered a statement with an error (see `sqlState`).
        package static let queryFailed = Code("postgres.query_failed")
        /// A value in a row was null or not of the type asked for.
        package static let decodingFailed = Code("postgres.decoding_failed")
        /// COPY could not send or finish.
        package static let copyFailed = Code("postgres.copy_failed")
        /// A migration failed; the schema is left at its previous version.
        package static let migrationFailed = Code("postgres.migration_failed")
        /// The database client was closed.
        package static let closed = Code("postgres.closed")
        /// A configuration value was not usable.
        package static let invalidConfiguration = Code("postgres.invalid_configuration")
    }

    package let code: Code
    package let message: String
    /// The five-character SQLSTATE, for example `23505` for a unique violation.
    package let sqlState: String?

    package init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    package var description: String {
        if let sqlState { return "\(code) [\(sqlState)]: \(message)" }
        return "\(code): \(message)"
    }

    /// True when the server reported a unique constraint violation.
    package var isUniqueViolation: Bool { sqlState == "23505" }
}
