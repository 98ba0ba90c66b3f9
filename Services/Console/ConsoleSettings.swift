import Foundation
import ServiceRuntime

/// Where the console finds the services and how it acts for the people signed in, from the environment.
///
/// - `TRASTIENDA_CONSOLE_SIGNING_KEY`: the environment's private signing key (base64url, as `trastienda auth keys`
///   writes it in `signing.key`), or `TRASTIENDA_CONSOLE_SIGNING_KEY_FILE`, a file holding it: the console mints each
///   person's short-lived token with it, for their roles and stores.
/// - `TRASTIENDA_CONSOLE_<SERVICE>_URL`: each service's base URL (default `http://localhost:<its port>`).
/// - `TRASTIENDA_CONSOLE_FIRST_ADMIN_PASSWORD`: while no account exists, the console makes `admin` with it.
/// - `TRASTIENDA_CONSOLE_BROKER_URL` (`http://localhost:15672`), `TRASTIENDA_CONSOLE_BROKER_USER`
///   (`svc-console`), `TRASTIENDA_CONSOLE_BROKER_PASSWORD`, `TRASTIENDA_CONSOLE_BROKER_VHOST` (`/`): RabbitMQ's
///   management API, for the operations page.
/// - `TRASTIENDA_CONSOLE_SESSION_HOURS` (8), `TRASTIENDA_CONSOLE_TIME_ZONE` (`Europe/Madrid`).
struct ConsoleSettings: Sendable {
    var signingKey: String
    var services: [String: String]
    var firstAdminPassword: String?
    var broker: (url: String, user: String, password: String, vhost: String)
    var sessionHours = 8
    var timeZone: TimeZone

    static let defaultPorts = ["sales-intake": 8081, "billing": 8082, "orders": 8083, "collections": 8084, "hr": 8085]

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ConsoleSettings {
        var key = environment["TRASTIENDA_CONSOLE_SIGNING_KEY"] ?? ""
        if key.isEmpty, let file = environment["TRASTIENDA_CONSOLE_SIGNING_KEY_FILE"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(variable: "TRASTIENDA_CONSOLE_SIGNING_KEY_FILE", value: file, expected: "a readable file with the signing key")
            }
            key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !key.isEmpty else {
            throw ConfigurationError(
                variable: "TRASTIENDA_CONSOLE_SIGNING_KEY", value: "", expected: "the environment's signing key (trastienda auth keys writes it)")
        }
        var services: [String: String] = [:]
        for (name, port) in defaultPorts {
            let variable = "TRASTIENDA_CONSOLE_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_URL"
            services[name] = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? "http://localhost:\(port)"
        }
        let hours = try ConfigurationError.integer("TRASTIENDA_CONSOLE_SESSION_HOURS", in: environment, 1...24, expected: "1–24 hours") ?? 8
        let zoneName = environment["TRASTIENDA_CONSOLE_TIME_ZONE"] ?? "Europe/Madrid"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigurationError(variable: "TRASTIENDA_CONSOLE_TIME_ZONE", value: zoneName, expected: "a time zone such as Europe/Madrid")
        }
        return ConsoleSettings(
            signingKey: key, services: services, firstAdminPassword: environment["TRASTIENDA_CONSOLE_FIRST_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            broker: (
                environment["TRASTIENDA_CONSOLE_BROKER_URL"] ?? "http://localhost:15672", environment["TRASTIENDA_CONSOLE_BROKER_USER"] ?? "svc-console",
                environment["TRASTIENDA_CONSOLE_BROKER_PASSWORD"] ?? "trastienda", environment["TRASTIENDA_CONSOLE_BROKER_VHOST"] ?? "/"
            ),
            sessionHours: hours, timeZone: zone)
    }
}
