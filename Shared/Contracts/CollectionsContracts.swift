/// `payment.received` on exchange `collections.commands`: money a customer paid, for collections to match (the same
/// body as `POST /payments`).
public struct PaymentReceivedV1: Codable, Sendable, Equatable {
    public static let messageType = "collections.payment.received.v1"
    public static let routingKey = "payment.received"

    /// Chosen by the sender (a bank reference, say), so that sending it again records nothing new.
    public var paymentId: String
    public var customerTaxId: String
    public var amountCents: Int64
    /// The invoice it pays, when the customer said; otherwise the customer's oldest open receivables are paid first.
    public var invoiceNumber: String?

    public init(paymentId: String, customerTaxId: String, amountCents: Int64, invoiceNumber: String? = nil) {
        self.paymentId = paymentId
        self.customerTaxId = customerTaxId
        self.amountCents = amountCents
        self.invoiceNumber = invoiceNumber
    }
}

/// On `collections.events`: `receivable.opened`, `receivable.overdue`, `receivable.paid`, `receivable.written_off`.
public struct ReceivableEventV1: Codable, Sendable, Equatable {
    public static let messageType = "collections.receivable.v1"

    public var event: String
    public var receivableId: Int64
    public var invoiceNumber: String
    public var customerTaxId: String
    public var storeId: String
    public var amountCents: Int64
    public var outstandingCents: Int64
    /// `yyyy-mm-dd`.
    public var dueDate: String
    public var reason: String?

    public init(
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

    public var routingKey: String { "receivable.\(event)" }
}

/// `dunning.reminder` on `collections.events`: a dunning level reached for one receivable, with its message, for
/// customer care to send or call about.
public struct DunningReminderV1: Codable, Sendable, Equatable {
    public static let messageType = "collections.dunning.reminder.v1"
    public static let routingKey = "dunning.reminder"

    public var receivableId: Int64
    public var invoiceNumber: String
    public var customerTaxId: String
    public var level: Int64
    public var name: String
    public var daysOverdue: Int64
    public var outstandingCents: Int64
    public var message: String

    public init(
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
