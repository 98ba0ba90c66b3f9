import Logging

/// One versioned change to a service's schema.
package struct Migration: Sendable {
    package let version: Int
    package let name: String
    /// Plain SQL, possibly several statements; it runs with the service's schema first on the search path.
    package let sql: String

    package init(_ version: Int, _ name: String, _ sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension Database {
    /// Brings `schema` up to the newest of `migrations`, each applied once, in version order, in one transaction.
    ///
    /// A transaction-scoped advisory lock named after the schema serialises replicas that start together: the second
    /// waits, then finds everything applied. Returns the versions this call applied.
    @discardableResult
    package func migrate(schema: String, _ migrations: [Migration], logger: Logger) async throws -> [Int] {
        guard PostgresIdentifier.isPlain(schema) else {
            throw PostgresError(.invalidConfiguration, "schema name '\(schema)' must be lower-case letters, digits and _")
        }
        let versions = migrations.map(\.version)
        guard Set(versions).count == versions.count else {
            throw PostgresError(.migrationFailed, "two migrations of schema '\(schema)' share a version")
        }
        let quoted = PostgresIdentifier.quote(schema)
        let applied = try await transaction { connection -> [Int] in
            try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["trastienda.migrate." + schema])
            // A service whose role was given its schema (least privilege) may not create schemas at all, not even
            // with IF NOT EXISTS: create it only when it is missing.
            if try connection.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]).isEmpty {
                try connection.execute(script: "CREATE SCHEMA IF NOT EXISTS \(quoted)")
            }
            try connection.execute(
                script: """
                    CREATE TABLE IF NOT EXISTS \(quoted).schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """)
            let done = Set(try connection.query("SELECT version FROM \(quoted).schema_migrations").map { try $0.decode(Int.self, at: 0) })
            var applied: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
                do {
                    try connection.execute(script: "SET LOCAL search_path TO \(quoted), public")
                    try connection.execute(script: migration.sql)
                    try connection.query(
                        "INSERT INTO \(quoted).schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                } catch {
                    throw PostgresError(
                        .migrationFailed, "migration \(migration.version) '\(migration.name)' of schema '\(schema)' failed: \(error)")
                }
                applied.append(migration.version)
            }
            return applied
        }
        logger.info(
            "Schema migrated",
            metadata: ["db.schema": .string(schema), "db.migrations.applied": .string(applied.map(String.init).joined(separator: ","))])
        return applied
    }
}
