import Foundation
import HummingbirdBcrypt
import PostgresClient
import ServiceRuntime

/// The people who sign in to the console: a username, a bcrypt hash of the password, roles and, for a store-scoped
/// person, stores. Five wrong passwords in a row lock the account for 15 minutes.
struct Account: Sendable {
    var username: String
    var name: String
    var roles: [Role]
    var stores: [String]?
}

enum Accounts {
    static let lockAfter = 5
    static let lockMinutes = 15

    enum SignIn {
        case signedIn(Account)
        case wrong
        case locked
    }

    static func signIn(username: String, password: String, database: Database) async throws -> SignIn {
        let rows = try await database.query(
            "SELECT password_hash, locked_until > now(), name, array_to_string(roles, ','), array_to_string(stores, ',') FROM accounts WHERE username = $1", [username])
        guard let row = rows.first else {
            // As long as a real check, so that the time taken does not tell which usernames exist.
            _ = Bcrypt.verify(password, hash: dummyHash)
            return .wrong
        }
        if try row.decodeIfPresent(Bool.self, at: 1) == true { return .locked }
        guard Bcrypt.verify(password, hash: try row.decode(String.self, at: 0)) else {
            try await database.query(
                """
                UPDATE accounts SET failed_attempts = failed_attempts + 1,
                    locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(mins => $3) END
                WHERE username = $1
                """, [username, Int64(lockAfter), Int64(lockMinutes)])
            return .wrong
        }
        try await database.query("UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE username = $1", [username])
        return .signedIn(try account(row, username: username, offset: 2))
    }

    static func find(_ username: String, database: Database) async throws -> Account? {
        try await database.query("SELECT name, array_to_string(roles, ','), array_to_string(stores, ',') FROM accounts WHERE username = $1", [username]).first.map {
            try account($0, username: username, offset: 0)
        }
    }

    static func all(database: Database) async throws -> [Account] {
        try await database.query("SELECT name, array_to_string(roles, ','), array_to_string(stores, ','), username FROM accounts ORDER BY username").map {
            try account($0, username: try $0.decode(String.self, at: 3), offset: 0)
        }
    }

    /// Creates or replaces an account (a new password when one is given).
    static func save(_ account: Account, password: String?, database: Database) async throws {
        let hash = password.map { Bcrypt.hash($0, cost: 10) }
        try await database.query(
            """
            INSERT INTO accounts (username, name, password_hash, roles, stores) VALUES ($1, $2, coalesce($3, '!'), $4::text[], $5::text[])
            ON CONFLICT (username) DO UPDATE SET name = excluded.name, roles = excluded.roles, stores = excluded.stores,
                password_hash = coalesce($3, accounts.password_hash), failed_attempts = 0, locked_until = NULL
            """,
            [account.username, account.name, hash, PostgresArrays.text(account.roles.map(\.rawValue)), account.stores.map(PostgresArrays.text)])
    }

    static func delete(_ username: String, database: Database) async throws {
        try await database.query("DELETE FROM accounts WHERE username = $1", [username])
    }

    /// While no account exists, `admin` with `password`.
    static func ensureFirstAdmin(password: String?, database: Database) async throws {
        guard let password, try await database.query("SELECT 1 FROM accounts LIMIT 1").isEmpty else { return }
        try await save(Account(username: "admin", name: "Admin", roles: [.admin], stores: nil), password: password, database: database)
    }

    private static func account(_ row: Row, username: String, offset: Int) throws -> Account {
        let roles = try row.decode(String.self, at: offset + 1)
        let stores = try row.decodeIfPresent(String.self, at: offset + 2)
        return Account(
            username: username, name: try row.decode(String.self, at: offset), roles: roles.split(separator: ",").compactMap { Role(rawValue: String($0)) },
            stores: stores.map { $0.split(separator: ",").map(String.init) })
    }

    private static let dummyHash = Bcrypt.hash("not a password", cost: 10)
}

