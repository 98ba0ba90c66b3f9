/// `payment.received` on exchange `collections.commands`: money a customer paid, for collections to match (the same
/// body as `POST /payments`).
package struct PaymentReceivedV1: Codable, Sendable, Equatable {
    package static let messageType = "collections.payment.received.v1"
    package static let routingKey = "payment.received"

    /// Chosen by the sender (a bank reference, say), so that sending it again records nothing new.
    package var paymentId: String
    package var customerTaxId: String
    package var amountCents: Int64
    /// The invoice it pays, when the customer said; otherwise the customer's oldest open receivables are paid first.
    package var invoiceNumber: String?

    package init(paymentId: String, customerTaxId: String, amountCents: Int64, invoiceNumber: String? = nil) {
        self.paymentId = paymentId
        self.customerTaxId = customerTaxId
        self.amountCents = amountCents
        self.invoiceNumber = invoiceNumber
    }
}

/// On `collections.events`: `receivable.opened`, `receivable.overdue`, `receivable.paid`, `receivable.written_off`,
/// `receivable.cancelled` (its invoice was cancelled; what had been paid became credit on the account).
package struct ReceivableEventV1: Codable, Sendable, Equatable {
    package static let messageType = "collections.receivable.v1"

    package var event: String
    package var receivableId: Int64
    package var invoiceNumber: String
    package var customerTaxId: String
    package var storeId: String
    package var amountCents: Int64
    package var outstandingCents: Int64
    /// `yyyy-mm-dd`.
    package var dueDate: String
    package var reason: String?

    package init(
        event: String, receivableId: Int64, invoiceNumber: String, customerTaxId: String, storeId: String, amountCents: Int64,
        outstandingCents: Int64, dueDate: String, reason: String? = nil
    ) {
        self.event = event
        self.receivableId = receivableId
        self.invoiceNumber = invoiceNumber
        self.customerTaxId = customerTaxId
        self.storeId = storeId
        self.amountCents = amountCents
        self.outstandingCents = outstandingCents
        self.dueDate = dueDate
        self.reason = reason
    }

    package var routingKey: String { "receivable.\(event)" }
}

/// `dunning.reminder` on `collections.events`: a dunning level reached for one receivable, with its message, for
/// customer care to send or call about.
package struct DunningReminderV1: Codable, Sendable, Equatable {
    package static let messageType = "collections.dunning.reminder.v1"
    package static let routingKey = "dunning.reminder"

    package var receivableId: Int64
    package var invoiceNumber: String
    package var customerTaxId: String
    package var level: Int64
    package var name: String
    package var daysOverdue: Int64
    package var outstandingCents: Int64
    package var message: String

    package init(
        receivableId: Int64, invoiceNumber: String, customerTaxId: String, level: Int64, name: String, daysOverdue: Int64,
        outstandingCents: Int64, message: String
    ) {
        self.receivableId = receivableId
        self.invoiceNumber = invoiceNumber
        self.customerTaxId = customerTaxId
        self.level = level
        self.name = name
        self.daysOverdue = daysOverdue
        self.outstandingCents = outstandingCents
        self.message = message
    }
}
