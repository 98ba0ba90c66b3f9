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
            try await api.putUser(service.brokerUser, password: password(service))
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
            let role = PostgresIdentifier.quote(service.databaseRole)
            let schema = PostgresIdentifier.quote(service.schema)
            let secret = password(service).replacingOccurrences(of: "'", with: "''")
            try await admin.withConnection { connection in
                let exists = try !connection.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [service.databaseRole]).isEmpty
                try connection.execute(script: "\(exists ? "ALTER" : "CREATE") ROLE \(role) LOGIN PASSWORD '\(secret)'")
                let database: String = try connection.query("SELECT current_database()")[0].decode(at: 0)
                try connection.execute(
                    script: """
                        GRANT CONNECT ON DATABASE \(PostgresIdentifier.quote(database)) TO \(role);
                        CREATE SCHEMA IF NOT EXISTS \(schema) AUTHORIZATION \(role);
                        ALTER SCHEMA \(schema) OWNER TO \(role);
                        REVOKE ALL ON SCHEMA \(schema) FROM PUBLIC;
                        DO $$ DECLARE item record; BEGIN
                            FOR item IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                        WHERE n.nspname = '\(service.schema)' AND c.relkind IN ('r', 'S', 'v', 'p') LOOP
                                EXECUTE format('ALTER %s %I.%I OWNER TO %I',
                                    CASE item.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END,
                                    '\(service.schema)', item.relname, '\(service.databaseRole)');
                            END LOOP;
                        END $$;
                        """)
            }
        }
    }
}
