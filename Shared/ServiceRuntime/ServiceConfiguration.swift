import AMQPClient
import Configuration
import Foundation
import Logging

/// A setting that is present but unusable; the message names the variable, the value and what would do.
package struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    package let variable: String
    package let value: String
    package let expected: String

    package init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    package var description: String { "\(variable)='\(value)' is not valid: expected \(expected)" }

    /// A switch in `environment`: `1` on, `0` off, nil when unset; anything else is refused.
    package static func flag(_ variable: String, in environment: [String: String]) throws(ConfigurationError) -> Bool? {
        guard let text = environment[variable] else { return nil }
        guard text == "0" || text == "1" else { throw ConfigurationError(variable: variable, value: text, expected: "1 or 0") }
        return text == "1"
    }

    /// A whole number in `environment` within `range`, nil when unset; anything else is refused, with `expected`.
    package static func integer(
        _ variable: String, in environment: [String: String], _ range: ClosedRange<Int>, expected: String
    ) throws(ConfigurationError) -> Int? {
        guard let text = environment[variable] else { return nil }
        guard let value = Int(text), range.contains(value) else { throw ConfigurationError(variable: variable, value: text, expected: expected) }
        return value
    }
}

/// Everything a service reads from its environment at start.
///
/// Every setting is an environment variable `TRASTIENDA_<SETTING>`, and a service-specific
/// `TRASTIENDA_<SERVICE>_<SETTING>` (for example `TRASTIENDA_BILLING_DATABASE_URL`) overrides it for one service.
/// See the README's configuration table.
package struct ServiceConfiguration: Sendable {
    package var service: String
    package var amqpURL: String
    package var amqp: AMQPConfiguration
    package var databaseURL: String
    package var databasePoolSize: Int
    package var httpHost: String
    package var httpPort: Int
    package var logLevel: Logger.Level
    /// Unacknowledged messages a consumer may hold.
    package var prefetch: Int
    /// The most messages a consumer handles in one transaction.
    package var batchSize: Int
    /// How long a consumer waits for a batch to fill.
    package var batchWait: Duration
    /// Batches a consumer handles at once (acknowledged in order).
    package var concurrentBatches: Int
    /// The Ed25519 public key access tokens are signed with (base64url of its 32 bytes, a JWK's `x`).
    package var authPublicKey: String
    /// How long the service's parts may take to end once cancelled before the process is ended (not from the
    /// environment: a service in a test's own process, on a loaded machine, is given longer).
    package var cancellationLimit: Duration = .seconds(4)

    /// A service's own defaults for its consumers, which the environment overrides.
    package struct ConsumerDefaults: Sendable {
        package var prefetch: Int
        package var batchSize: Int
        package var concurrentBatches: Int

        package init(prefetch: Int = 1000, batchSize: Int = 500, concurrentBatches: Int = 2) {
            self.prefetch = prefetch
            self.batchSize = batchSize
            self.concurrentBatches = concurrentBatches
        }

        /// For consumers of `sale.recorded`, whose messages each carry a store's sales of one intake batch (ten to
        /// forty at closing time, a kilobyte each): batches of 100 messages, and a prefetch of three batches that
        /// keeps the next one waiting while two are handled. The prefetch counts messages, not sales: at 1,000 the
        /// broker parked up to 40 MB of sales in the process, and its peak memory grew with the backlog.
        package static let recordedSales = ConsumerDefaults(prefetch: 300, batchSize: 100)
    }

    package static let defaultAMQPURL = "amqp://trastienda:trastienda@localhost:5672/"
    package static let defaultDatabaseURL = "postgres://trastienda:trastienda@localhost:5432/trastienda"

    /// Reads the configuration of `service` from the process environment (or `environment`, in tests).
    package static func load(
        service: String, defaultHTTPPort: Int, consumerDefaults: ConsumerDefaults = ConsumerDefaults(),
        environment: [String: String]? = nil
    ) throws(ConfigurationError) -> ServiceConfiguration {
        let provider = environment.map { EnvironmentVariablesProvider(environmentVariables: $0) } ?? EnvironmentVariablesProvider()
        let settings = Settings(service: service, reader: ConfigReader(provider: provider))
        let amqpURL = settings.string("amqp.url") ?? defaultAMQPURL
        let amqp: AMQPConfiguration
        do {
            amqp = try AMQPConfiguration(url: amqpURL, connectionName: service)
        } catch {
            throw ConfigurationError(
                variable: settings.variableName("amqp.url"), value: AMQPConfiguration.redacted(amqpURL), expected: error.message)
        }
        let databaseURL = settings.string("database.url") ?? defaultDatabaseURL
        guard databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") || databaseURL.contains("=") else {
            throw ConfigurationError(
                variable: settings.variableName("database.url"), value: databaseURL,
                expected: "a postgres:// URL or a libpq connection string")
        }
        guard let (key, _) = settings.lookup("auth.public_key") else {
            throw ConfigurationError(
                variable: settings.variableName("auth.public_key"), value: "",
                expected: "the Ed25519 package key access tokens are signed with, base64url (`trastienda auth keys` makes a pair)")
        }
        guard AuthKeys.isPublicKey(key) else {
            throw ConfigurationError(
                variable: settings.variableName("auth.public_key"), value: key, expected: "an Ed25519 package key: 32 bytes, base64url (43 characters)")
        }
        return ServiceConfiguration(
            service: service, amqpURL: amqpURL, amqp: amqp, databaseURL: databaseURL,
            databasePoolSize: try settings.integer("database.pool_size", default: 4, in: 1...100),
            httpHost: settings.string("http.host") ?? "0.0.0.0",
            httpPort: try settings.integer("http.port", default: defaultHTTPPort, in: 1...65535),
            logLevel: try settings.logLevel(),
            prefetch: try settings.integer("consumer.prefetch", default: consumerDefaults.prefetch, in: 1...65535),
            batchSize: try settings.integer("consumer.batch_size", default: consumerDefaults.batchSize, in: 1...10000),
            batchWait: .milliseconds(try settings.integer("consumer.batch_wait_ms", default: 10, in: 0...60000)),
            concurrentBatches: try settings.integer("consumer.concurrent_batches", default: consumerDefaults.concurrentBatches, in: 1...16),
            authPublicKey: key)
    }

    /// Looks a setting up for one service first, then for all.
    private struct Settings {
        let service: String
        let reader: ConfigReader

        var serviceKey: String { service.replacingOccurrences(of: "-", with: "_") }

        func variableName(_ key: String, serviceSpecific: Bool = false) -> String {
            let path = serviceSpecific ? "trastienda.\(serviceKey).\(key)" : "trastienda.\(key)"
            return path.uppercased().replacingOccurrences(of: ".", with: "_")
        }

        /// The value and the variable it came from.
        func lookup(_ key: String) -> (value: String, variable: String)? {
            if let value = reader.string(forKey: ConfigKey("trastienda.\(serviceKey).\(key)")), !value.isEmpty {
                return (value, variableName(key, serviceSpecific: true))
            }
            if let value = reader.string(forKey: ConfigKey("trastienda.\(key)")), !value.isEmpty {
                return (value, variableName(key))
            }
            return nil
        }

        func string(_ key: String) -> String? { lookup(key)?.value }

        func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let (text, variable) = lookup(key) else { return defaultValue }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw ConfigurationError(
                    variable: variable, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }

        func logLevel() throws(ConfigurationError) -> Logger.Level {
            guard let (text, variable) = lookup("log.level") else { return .info }
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    variable: variable, value: text,
                    expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return level
        }
    }
}
