import Foundation
import ServiceRuntime

/// Billing's fiscal configuration (Spain's values by default), from the environment:
/// `TRASTIENDA_BILLING_RETAIL_LIMIT_CENTS` (simplified invoices up to this total, tax included) and
/// `TRASTIENDA_BILLING_SURCHARGE_RATES` (`rate:basis points` pairs, for example `21:520,10:140,4:50,0:0`), and the
/// invoicing system the billing records name: `TRASTIENDA_BILLING_PRODUCER_NAME`, `TRASTIENDA_BILLING_PRODUCER_TAX_ID`
/// (a Spanish NIF), `TRASTIENDA_BILLING_INSTALLATION_NUMBER`, `TRASTIENDA_BILLING_MULTIPLE_ISSUERS` (`1` or `0`).
struct FiscalSettings: Sendable {
    var retailLimitCents: Int64 = 300_000
    var rates = TaxRates.spain
    var system = InvoicingSystem()

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> FiscalSettings {
        var settings = FiscalSettings()
        if let text = environment["TRASTIENDA_BILLING_RETAIL_LIMIT_CENTS"] {
            guard let value = Int64(text), value > 0 else {
                throw ConfigurationError(variable: "TRASTIENDA_BILLING_RETAIL_LIMIT_CENTS", value: text, expected: "a positive number of cents")
            }
            settings.retailLimitCents = value
        }
        if let text = environment["TRASTIENDA_BILLING_SURCHARGE_RATES"] {
            var surcharges: [Int64: Int64] = [:]
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: ":")
                guard parts.count == 2, let rate = Int64(parts[0]), let points = Int64(parts[1]), (0...100).contains(rate),
                    (0...10_000).contains(points)
                else {
                    throw ConfigurationError(
                        variable: "TRASTIENDA_BILLING_SURCHARGE_RATES", value: text,
                        expected: "rate:basis-points pairs separated by commas, for example 21:520,10:140,4:50,0:0")
                }
                surcharges[rate] = points
            }
            settings.rates = TaxRates(surchargeBasisPoints: surcharges)
        }
        if let name = environment["TRASTIENDA_BILLING_PRODUCER_NAME"] {
            guard (1...120).contains(name.unicodeScalars.count) else {
                throw ConfigurationError(variable: "TRASTIENDA_BILLING_PRODUCER_NAME", value: name, expected: "1–120 characters")
            }
            settings.system.producerName = name
        }
        if let taxId = environment["TRASTIENDA_BILLING_PRODUCER_TAX_ID"] {
            guard SpanishTaxId.isValid(taxId) else {
                throw ConfigurationError(variable: "TRASTIENDA_BILLING_PRODUCER_TAX_ID", value: taxId, expected: "a Spanish NIF whose control character checks")
            }
            settings.system.producerTaxId = taxId.uppercased()
        }
        if let number = environment["TRASTIENDA_BILLING_INSTALLATION_NUMBER"] {
            guard (1...100).contains(number.unicodeScalars.count) else {
                throw ConfigurationError(variable: "TRASTIENDA_BILLING_INSTALLATION_NUMBER", value: number, expected: "1–100 characters")
            }
            settings.system.installationNumber = number
        }
        if let multiple = try ConfigurationError.flag("TRASTIENDA_BILLING_MULTIPLE_ISSUERS", in: environment) {
            settings.system.multipleIssuers = multiple
        }
        return settings
    }
}
