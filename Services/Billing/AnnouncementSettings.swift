import Foundation
import ServiceRuntime

/// How billing announces what it issued on `billing.events`: always one `billing.invoices.issued.v1` per store and
/// batch (collections reads these); with `TRASTIENDA_BILLING_PER_INVOICE_EVENTS=1`, also each document in a message
/// of its own (`invoice.issued.<store>.<terminal>`, `credit_note.issued.<store>.<terminal>`), the form integrators
/// bound to before the batches, kept until they move.
struct AnnouncementSettings: Sendable {
    var perInvoice = false

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> AnnouncementSettings {
        var settings = AnnouncementSettings()
        if let text = environment["TRASTIENDA_BILLING_PER_INVOICE_EVENTS"] {
            guard text == "0" || text == "1" else {
                throw ConfigurationError(variable: "TRASTIENDA_BILLING_PER_INVOICE_EVENTS", value: text, expected: "1 or 0")
            }
            settings.perInvoice = text == "1"
        }
        return settings
    }
}
