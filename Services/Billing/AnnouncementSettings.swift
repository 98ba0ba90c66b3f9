import Foundation
import ServiceRuntime

/// How billing announces what it issued on `billing.events`: always one `billing.invoices.issued.v1` per store and
/// batch (collections reads these); with `TRASTIENDA_BILLING_PER_INVOICE_EVENTS=1`, also each document in a message
/// of its own (`invoice.issued.<store>.<terminal>`, `credit_note.issued.<store>.<terminal>`), the form integrators
/// bound to before the batches, kept until they move.
struct AnnouncementSettings: Sendable {
    var perInvoice = false

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> AnnouncementSettings {
        AnnouncementSettings(perInvoice: try ConfigurationError.flag("TRASTIENDA_BILLING_PER_INVOICE_EVENTS", in: environment) ?? false)
    }
}
