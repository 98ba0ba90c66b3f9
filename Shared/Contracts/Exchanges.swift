import AMQPClient

/// The topic exchanges of Trastienda, one per publishing domain (see `docs/asyncapi.yaml`).
package enum Exchanges {
    /// POS terminals publish sales (`sale.<store>.<terminal>`), shift events (`shift.opened.<store>.<terminal>`) and
    /// till events (`till.opened.<store>.<terminal>`, `till.cash_moved…`, `till.closed…`).
    package static let pos = Topology.Exchange("pos")
    /// With partitioned intake: `pos`'s sales hashed by routing key (so by terminal) over intake's partition queues.
    package static let posPartitions = Topology.Exchange("pos.partitions", kind: .consistentHash)
    /// Sales intake announces recorded sales: `sale.recorded.<store>`.
    package static let salesEvents = Topology.Exchange("sales.events")
    /// Billing announces invoices and credit notes: `invoices.issued.<store>` (a batch), `invoice.issued.<store>.<terminal>`,
    /// `credit_note.issued.<store>.<terminal>`, and their cancellations, `invoice.cancelled.<store>.<terminal>`.
    package static let billingEvents = Topology.Exchange("billing.events")
    /// Orders and stock: `stock.low.<store>`, `replenishment.requested.<store>`.
    package static let stockEvents = Topology.Exchange("stock.events")
    /// Customer order lifecycle events.
    package static let ordersEvents = Topology.Exchange("orders.events")
    /// Commands to the orders service (register an order).
    package static let ordersCommands = Topology.Exchange("orders.commands")
    /// Receivables: opened, overdue, reminders, paid, written off.
    package static let collectionsEvents = Topology.Exchange("collections.events")
    /// Payments received, for collections (`payment.received`).
    package static let collectionsCommands = Topology.Exchange("collections.commands")
    /// Staff and announcements.
    package static let hrEvents = Topology.Exchange("hr.events")
}

/// The binding patterns consumers use.
package enum RoutingKeys {
    package static let allSales = "sale.#"
    package static let allSalesRecorded = "sale.recorded.#"
    package static let allInvoiceBatches = "invoices.issued.#"
    package static let allInvoicesIssued = "invoice.issued.#"
    package static let allCreditNotesIssued = "credit_note.issued.#"
    package static let allInvoiceCancellations = "invoice.cancelled.#"
    package static let allShiftEvents = "shift.#"
    package static let allAnnouncementReads = "announcement.read.#"
    package static let allOrderCommands = "order.#"
    package static let allPayments = "payment.#"
    package static let allTillEvents = "till.#"
}

/// Queue names: `<consuming service>.<what it consumes>`.
package enum Queues {
    package static let intakePOSSales = "sales-intake.pos-sales"
    /// Partition `index` of partitioned intake.
    package static func intakePOSSalesPartition(_ index: Int) -> String { "sales-intake.pos-sales.p\(index)" }
    package static let billingSaleRecorded = "billing.sale-recorded"
    package static let ordersSaleRecorded = "orders.sale-recorded"
    package static let ordersCommands = "orders.order-commands"
    package static let collectionsInvoiceIssued = "collections.invoice-issued"
    package static let collectionsPayments = "collections.payments"
    package static let collectionsInvoiceCancelled = "collections.invoice-cancelled"
    package static let collectionsTills = "collections.pos-tills"
    package static let hrSaleRecorded = "hr.sale-recorded"
    package static let hrShifts = "hr.pos-shifts"
}
