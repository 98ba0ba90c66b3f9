import Foundation
import SaleValidation
import ServiceRuntime

extension SaleLimits {
    /// The defaults, with the date window from the environment.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> SaleLimits {
        var limits = SaleLimits()
        if let days = try ConfigurationError.integer(
            "TRASTIENDA_SALES_INTAKE_LATE_SYNC_DAYS", in: environment, 1...3650, expected: "whole days from 1 to 3650")
        {
            limits.pastTolerance = TimeInterval(days * 86_400)
        }
        if let seconds = try ConfigurationError.integer(
            "TRASTIENDA_SALES_INTAKE_CLOCK_DRIFT_SECONDS", in: environment, 0...86_400, expected: "whole seconds from 0 to 86400")
        {
            limits.futureTolerance = TimeInterval(seconds)
        }
        return limits
    }
}
