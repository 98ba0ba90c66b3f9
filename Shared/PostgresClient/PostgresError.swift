/// An error from the PostgreSQL client: a stable code, a message, and PostgreSQL's own SQLSTATE when it sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server could not be reached or refused the login.
        public static let connectionFailed = Code("postgres.connection_failed")
        /// The server answered a statement with an error (see `sqlState`).
        public static let queryFailed = Code("postgres.query_failed")
        /// A value in a row was null or not of the type asked for.
        public static let decodingFailed = Code("postgres.decoding_failed")
        /// COPY could not send or finish.
        public static let copyFailed = Code("postgres.copy_failed")
        /// A migration failed; the schema is left at its previous version.
        public static let migrationFailed = Code("postgres.migration_failed")
        /// The database client was closed.
        public static let closed = Code("postgres.closed")
        /// A configuration value was not usable.
        public static let invalidConfiguration = Code("postgres.invalid_configuration")
    }

    public let code: Code
    public let message: String
    /// The five-character SQLSTATE, for example `23505` for a unique violation.
    public let sqlState: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        if let sqlState { return "\(code) [\(sqlState)]: \(message)" }
        return "\(code): \(message)"
    }

    /// True when the server reported a unique constraint violation.
    public var isUniqueViolation: Bool { sqlState == "23505" }
}
