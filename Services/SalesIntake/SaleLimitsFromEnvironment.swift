import Foundation
import SaleValidation
import ServiceRuntime

extension SaleLimits {
    /// The defaults, with the date window from the environment.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> SaleLimits {
        var limits = SaleLimits()
        if let text = environment["TRASTIENDA_SALES_INTAKE_LATE_SYNC_DAYS"] {
            guard let days = Int(text), (1...3650).contains(days) else {
                throw ConfigurationError(variable: "TRASTIENDA_SALES_INTAKE_LATE_SYNC_DAYS", value: text, expected: "whole days from 1 to 3650")
            }
            limits.pastTolerance = TimeInterval(days * 86_400)
        }
        if let text = environment["TRASTIENDA_SALES_INTAKE_CLOCK_DRIFT_SECONDS"] {
            guard let seconds = Int(text), (0...86_400).contains(seconds) else {
                throw ConfigurationError(
                    variable: "TRASTIENDA_SALES_INTAKE_CLOCK_DRIFT_SECONDS", value: text, expected: "whole seconds from 0 to 86400")
            }
            limits.futureTolerance = TimeInterval(seconds)
        }
        return limits
    }
}
