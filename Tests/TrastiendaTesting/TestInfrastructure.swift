import AMQPClient
import Foundation
import Logging
import PostgresClient
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Raised when a test cannot reach the broker or the database; the message says how to start them.
package struct InfrastructureUnavailable: Error, CustomStringConvertible {
    package let description: String
    package init(description: String) { self.description = description }
}

/// The real RabbitMQ and PostgreSQL that `make test` starts (`scripts/infra.sh up`), shared by all tests; each test
/// gets a virtual host or a schema of its own.
package enum TestInfrastructure {
    package static let amqpURL = ProcessInfo.processInfo.environment["TRASTIENDA_TEST_AMQP_URL"]
        ?? "amqp://trastienda:trastienda@localhost:5672/"
    package static let managementURL = ProcessInfo.processInfo.environment["TRASTIENDA_TEST_RABBIT_MANAGEMENT_URL"]
        ?? "http://localhost:15672"
    package static let databaseURL = ProcessInfo.processInfo.environment["TRASTIENDA_TEST_DATABASE_URL"]
        ?? "postgres://trastienda:trastienda@localhost:5432/trastienda"
    static let brokerUser = "trastienda"
    static let brokerPassword = "trastienda"

    /// The repository's root, for scripts the tests drive.
    package static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    package static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    /// A unique name for a test's vhost or schema.
    package static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    // MARK: Broker

    /// A fresh virtual host on the test broker, with the test user allowed everything in it.
    package static func makeVirtualHost(_ prefix: String = "test") async throws -> AMQPConfiguration {
        let name = uniqueName(prefix)
        let escaped = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        try await management("PUT", "/api/vhosts/\(escaped)", body: "{}")
        try await management(
            "PUT", "/api/permissions/\(escaped)/\(brokerUser)", body: #"{"configure":".*","write":".*","read":".*"}"#)
        return try AMQPConfiguration(url: amqpURL, connectionName: name).with(virtualHost: name)
    }

    package static func deleteVirtualHost(_ configuration: AMQPConfiguration) async {
        let escaped = configuration.virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        _ = try? await management("DELETE", "/api/vhosts/\(escaped)", body: nil)
    }

    /// Runs `body` in a fresh virtual host, deleted afterwards.
    package static func withVirtualHost<T>(_ body: (AMQPConfiguration) async throws -> T) async throws -> T {
        let configuration = try await makeVirtualHost()
        do {
            let value = try await body(configuration)
            await deleteVirtualHost(configuration)
            return value
        } catch {
            await deleteVirtualHost(configuration)
            throw error
        }
    }

    /// The number of messages ready in a queue, as the broker reports it.
    package static func messageCount(queue: String, virtualHost: String) async throws -> Int {
        let escapedHost = virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let escapedQueue = queue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let data = try await management("GET", "/api/queues/\(escapedHost)/\(escapedQueue)", body: nil)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return object?["messages_ready"] as? Int ?? 0
    }

    /// What the broker says of `queue`: messages ready, delivered and not yet acknowledged, and consumers (for the
    /// message of a test that waited for deliveries in vain).
    package static func queueState(queue: String, virtualHost: String) async -> String {
        let escapedHost = virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let escapedQueue = queue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard let data = try? await management("GET", "/api/queues/\(escapedHost)/\(escapedQueue)", body: nil),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return "queue \(queue): the management API did not answer" }
        return "queue \(queue): ready \(object["messages_ready"] ?? "?"), unacknowledged \(object["messages_unacknowledged"] ?? "?"), "
            + "consumers \(object["consumers"] ?? "?")"
    }

    /// Closes every client connection to `virtualHost` from the broker's side with `rabbitmqctl close_connection`,
    /// as an operator would; returns how many it closed.
    @discardableResult
    package static func closeConnections(virtualHost: String) throws -> Int {
        let listing = try rabbitmqctl(["-q", "list_connections", "--no-table-headers", "pid", "vhost"])
        let pids = listing.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: "\t").map(String.init)
            return fields.count == 2 && fields[1] == virtualHost ? fields[0] : nil
        }
        for pid in pids { _ = try rabbitmqctl(["-q", "close_connection", pid, "closed by a test"]) }
        return pids.count
    }

    private static func rabbitmqctl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent("scripts/infra.sh")
        process.arguments = ["rabbitmqctl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InfrastructureUnavailable(
                description: "rabbitmqctl \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)); "
                    + "is the test broker up (`scripts/infra.sh up`)?")
        }
        return String(decoding: data, as: UTF8.self)
    }

    @discardableResult
    static func management(_ method: String, _ path: String, body: String?) async throws -> Data {
        var request = URLRequest(url: URL(string: managementURL + path)!)
        request.httpMethod = method
        let credentials = Data("\(brokerUser):\(brokerPassword)".utf8).base64EncodedString()
        request.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw InfrastructureUnavailable(
                description: "RabbitMQ's management API is not reachable at \(managementURL) (\(error)). "
                    + "Start the test infrastructure with `make test` or `scripts/infra.sh up`.")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw InfrastructureUnavailable(
                description: "RabbitMQ management \(method) \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    // MARK: Database

    /// A database client whose search path is a fresh schema of its own (created here, dropped by `dropSchema`).
    package static func makeDatabase(_ prefix: String = "test", poolSize: Int = 2) async throws -> (Database, schema: String) {
        let schema = uniqueName(prefix)
        let database = Database(.init(url: databaseURL, searchPath: schema, poolSize: poolSize), logger: logger)
        do {
            try await database.query("CREATE SCHEMA \(PostgresIdentifier.quote(schema))")
        } catch let error as PostgresError where error.code == .connectionFailed {
            database.close()
            throw InfrastructureUnavailable(
                description: "PostgreSQL is not reachable at \(databaseURL) (\(error)). "
                    + "Start the test infrastructure with `make test` or `scripts/infra.sh up`.")
        }
        return (database, schema)
    }

    package static func dropSchema(_ schema: String, on database: Database) async {
        _ = try? await database.query("DROP SCHEMA IF EXISTS \(PostgresIdentifier.quote(schema)) CASCADE")
        database.close()
    }

    /// A fresh database of its own (for tests that run a whole service, whose schema name is fixed); returns its URL.
    package static func makeDatabaseURL(_ prefix: String = "test") async throws -> String {
        let name = uniqueName(prefix)
        let admin = Database(.init(url: databaseURL, poolSize: 1), logger: logger)
        defer { admin.close() }
        do {
            try await admin.query("CREATE DATABASE \(PostgresIdentifier.quote(name))")
        } catch let error as PostgresError where error.code == .connectionFailed {
            throw InfrastructureUnavailable(
                description: "PostgreSQL is not reachable at \(databaseURL) (\(error)). "
                    + "Start the test infrastructure with `make test` or `scripts/infra.sh up`.")
        }
        var components = URLComponents(string: databaseURL)!
        components.path = "/\(name)"
        return components.string!
    }

    package static func dropDatabase(url: String) async {
        guard let name = url.split(separator: "/").last.map(String.init) else { return }
        let admin = Database(.init(url: databaseURL, poolSize: 1), logger: logger)
        _ = try? await admin.query("DROP DATABASE IF EXISTS \(PostgresIdentifier.quote(name)) WITH (FORCE)")
        admin.close()
    }

    /// Runs `body` with a database client in a fresh schema, dropped afterwards.
    package static func withSchema<T>(_ prefix: String = "test", _ body: (Database, String) async throws -> T) async throws -> T {
        let (database, schema) = try await makeDatabase(prefix)
        do {
            let value = try await body(database, schema)
            await dropSchema(schema, on: database)
            return value
        } catch {
            await dropSchema(schema, on: database)
            throw error
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
package func eventually(
    timeout: Duration = .seconds(20), interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

extension TestInfrastructure {
    /// A TCP port nobody listens on now, below the kernel's ephemeral range (32768 and up), so that no outgoing
    /// connection can take it between this call and the service's bind (a port the kernel hands out for `bind(0)` can
    /// be taken by the next `connect`: seen as a service that never became ready). Each call tries the next port of a
    /// range that starts where this process's id points, so two test processes rarely try the same ones.
    package static func freePort() -> Int {
        for _ in 0..<1000 {
            let port = 20_000 + (nextPort.wrappingAdd(1, ordering: .relaxed).oldValue % 12_000)
            if canBind(port) { return port }
        }
        preconditionFailure("could not find a free port between 20000 and 32000")
    }

    private static let nextPort = Atomic<Int>(Int(getpid()) * 37 % 12_000)

    private static func canBind(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 }
        }
    }
}
