import Foundation
import ServiceRuntime

/// Collections' own settings, from the environment: `TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS` (how often dunning
/// runs, default 60000) and `TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK` (`1` lets `PUT /clock` set collections' today,
/// for tests and rehearsals; off by default).
struct CollectionsSettings: Sendable {
    var dunningInterval: Duration = .seconds(60)
    var settableClock = false

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> CollectionsSettings {
        var settings = CollectionsSettings()
        if let text = environment["TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS"] {
            guard let value = Int(text), (10...86_400_000).contains(value) else {
                throw ConfigurationError(
                    variable: "TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS", value: text, expected: "milliseconds between 10 and 86400000")
            }
            settings.dunningInterval = .milliseconds(value)
        }
        if let text = environment["TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK"] {
            guard ["0", "1"].contains(text) else {
                throw ConfigurationError(variable: "TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK", value: text, expected: "0 or 1")
            }
            settings.settableClock = text == "1"
        }
        return settings
    }
}
