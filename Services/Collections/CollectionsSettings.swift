import Foundation
import ServiceRuntime

/// Collections' own settings, from the environment: `TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS` (how often dunning
/// runs, default 60000) and `TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK` (`1` lets `PUT /clock` set collections' today,
/// for tests and rehearsals; off by default) and `TRASTIENDA_COLLECTIONS_TILL_SETTLE_SECONDS` (how long a closed
/// till's Z report waits for receipts still on their way, default 300) and `TRASTIENDA_COLLECTIONS_EVERY_TERMINAL_KEEPS_TILL`
/// (`1`: every terminal's till sales are kept for its sessions, even before its first `till.opened` is read; off by
/// default, when only the terminals that have opened a session, or name one on their sales, are).
struct CollectionsSettings: Sendable {
    var dunningInterval: Duration = .seconds(60)
    var settableClock = false
    var tillSettle: Duration = TillSessions.defaultSettle
    var everyTerminalKeepsTill = false

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> CollectionsSettings {
        var settings = CollectionsSettings()
        if let value = try ConfigurationError.integer(
            "TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS", in: environment, 10...86_400_000, expected: "milliseconds between 10 and 86400000")
        {
            settings.dunningInterval = .milliseconds(value)
        }
        if let settable = try ConfigurationError.flag("TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK", in: environment) {
            settings.settableClock = settable
        }
        if let value = try ConfigurationError.integer(
            "TRASTIENDA_COLLECTIONS_TILL_SETTLE_SECONDS", in: environment, 0...86_400, expected: "seconds between 0 and 86400")
        {
            settings.tillSettle = .seconds(value)
        }
        if let every = try ConfigurationError.flag("TRASTIENDA_COLLECTIONS_EVERY_TERMINAL_KEEPS_TILL", in: environment) {
            settings.everyTerminalKeepsTill = every
        }
        return settings
    }
}
