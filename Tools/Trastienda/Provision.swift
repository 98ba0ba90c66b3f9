import BrokerAdmin
import AMQPClient
import ArgumentParser
import Foundation
import Logging
import PostgresClient
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `trastienda provision`: creates (idempotently) the broker users with their permissions and topic permissions, and
/// the PostgreSQL roles owning their schemas, as ``AccessPlan`` says.
struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create each service's broker user and database role, and each terminal's broker user, with exactly their rights.")

    @OptionGroup var management: DeadLetterQueues.Management
    @Option(help: "PostgreSQL as an administrator (a role that can create roles).")
    var database = ProcessInfo.processInfo.environment["TRASTIENDA_DATABASE_URL"] ?? "postgres://trastienda:trastienda@localhost:5432/trastienda"
    @Option(help: "Stores to create terminal users for (S001…).") var stores = 10
    @Option(help: "Terminals per store (S001-T01…).") var terminals = 4
    @Option(help: "Password of every service user and role, unless TRASTIENDA_<SERVICE>_PASSWORD is set (development only).")
    var servicePassword = "trastienda"
    @Option(help: "Password of every terminal user (development only).") var terminalPassword = "till"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func password(_ service: AccessPlan.ServiceAccess) -> String {
            environment["TRASTIENDA_\(service.name.uppercased().replacingOccurrences(of: "-", with: "_"))_PASSWORD"] ?? servicePassword
        }
        let places = (1...max(1, stores)).flatMap { store in
            (1...max(1, terminals)).map { (String(format: "S%03d", store), String(format: "S%03d-T%02d", store, $0)) }
        }
        try await Provisioning.broker(management.api, services: AccessPlan.services, password: password, terminals: places, terminalPassword: terminalPassword)
        print("broker: \(AccessPlan.services.count) service users, \(places.count) terminal users in vhost \(management.vhost)")
        var logger = Logger(label: "trastienda")
        logger.logLevel = .warning
        let admin = Database(.init(url: database, poolSize: 1), logger: logger)
        defer { admin.close() }
        try await Provisioning.database(admin, services: AccessPlan.services, password: password)
        print("database: \(AccessPlan.services.count) roles, each owning its schema")
    }
}

/// The provisioning steps, separate from the command so that tests run them against their own vhost and database.
enum Provisioning {
    static func broker(
        _ api: ManagementAPI, services: [AccessPlan.ServiceAccess], password: (AccessPlan.ServiceAccess) -> String,
        terminals: [(store: String, terminal: String)], terminalPassword: String
    ) async throws {
        for service in services {
            try await api.putUser(service.brokerUser, password: password(service), tags: service.operatesDeadLetters ? "management" : "")
            let rights = AccessPlan.permissions(service)
            try await api.putPermissions(service.brokerUser, configure: rights.configure, write: rights.write, read: rights.read)
            for exchange in service.publishesTo {
                try await api.putTopicPermissions(service.brokerUser, exchange: exchange, write: ".*", read: ".*")
            }
        }
        for (store, terminal) in terminals {
            let user = AccessPlan.terminalUser(terminal)
            try await api.putUser(user, password: terminalPassword)
            try await api.putPermissions(user, configure: "^$", write: "^pos$", read: "^$")
            try await api.putTopicPermissions(
                user, exchange: "pos", write: AccessPlan.terminalRoutingKeys(store: store, terminal: terminal), read: "^$")
        }
    }

    /// One login role per service owning its schema (created if missing, taken over if another role made it), and
    /// nothing granted to anyone else.
    static func database(_ admin: Database, services: [AccessPlan.ServiceAccess], password: (AccessPlan.ServiceAccess) -> String) async throws {
        for service in services {
            let role = service.databaseRole
            let schema = service.schema
            let secret = password(service)
            try await admin.withConnection { connection in
                /// `template` with its `%I` (identifiers) and `%L` (literals) filled in by the server's own `format`:
                /// nothing is quoted by hand.
                func formatted(_ template: String, _ arguments: String...) throws -> String {
                    let placeholders = arguments.indices.map { "$\($0 + 2)::text" }.joined(separator: ", ")
                    return try connection.query("SELECT format($1, \(placeholders))", [template] + arguments)[0].decode(at: 0)
                }
                let exists = try !connection.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]).isEmpty
                try connection.execute(script: try formatted("\(exists ? "ALTER" : "CREATE") ROLE %I LOGIN PASSWORD %L", role, secret))
                let database: String = try connection.query("SELECT current_database()")[0].decode(at: 0)
                try connection.execute(
                    script: try formatted(
                        """
                        GRANT CONNECT ON DATABASE %1$I TO %2$I;
                        CREATE SCHEMA IF NOT EXISTS %3$I AUTHORIZATION %2$I;
                        ALTER SCHEMA %3$I OWNER TO %2$I;
                        REVOKE ALL ON SCHEMA %3$I FROM PUBLIC;
                        """, database, role, schema))
                // What another role created in the schema becomes the service's.
                let relations = try connection.query(
                    """
                    SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, c.relname
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'S', 'v', 'p')
                    """, [schema])
                for relation in relations {
                    let kind: String = try relation.decode(at: 0)
                    try connection.execute(script: try formatted("ALTER \(kind) %I.%I OWNER TO %I", schema, try relation.decode(at: 1), role))
                }
            }
        }
    }
}
