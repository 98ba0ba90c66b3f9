import AMQPClient

/// The topic exchanges of Trastienda, one per publishing domain (see `docs/asyncapi.yaml`).
public enum Exchanges {
    /// POS terminals publish sales (`sale.<store>.<terminal>`), shift events (`shift.opened.<store>.<terminal>`) and
    /// till events (`till.opened.<store>.<terminal>`, `till.cash_moved…`, `till.closed…`).
    public static let pos = Topology.Exchange("pos")
    /// With partitioned intake: `pos`'s sales hashed by routing key (so by terminal) over intake's partition queues.
    public static let posPartitions = Topology.Exchange("pos.partitions", kind: .consistentHash)
    /// Sales intake announces recorded sales: `sale.recorded.<store>`.
    public static let salesEvents = Topology.Exchange("sales.events")
    /// Billing announces invoices and credit notes: `invoice.issued.<store>.<terminal>`, `credit_note.issued.<store>.<terminal>`.
    public static let billingEvents = Topology.Exchange("billing.events")
    /// Orders and stock: `stock.low.<store>`, `replenishment.requested.<store>`.
    public static let stockEvents = Topology.Exchange("stock.events")
    /// Customer order lifecycle events.
    public static let ordersEvents = Topology.Exchange("orders.events")
    /// Commands to the orders service (register an order).
    public static let ordersCommands = Topology.Exchange("orders.commands")
    /// Receivables: opened, overdue, reminders, paid, written off.
    public static let collectionsEvents = Topology.Exchange("collections.events")
    /// Payments received, for collections (`payment.received`).
    public static let collectionsCommands = Topology.Exchange("collections.commands")
    /// Staff and announcements.
    public static let hrEvents = Topology.Exchange("hr.events")
}

/// The binding patterns consumers use.
public enum RoutingKeys {
    public static let allSales = "sale.#"
    public static let allSalesRecorded = "sale.recorded.#"
    public static let allInvoicesIssued = "invoice.issued.#"
    public static let allCreditNotesIssued = "credit_note.issued.#"
    public static let allShiftEvents = "shift.#"
    public static let allAnnouncementReads = "announcement.read.#"
    public static let allOrderCommands = "order.#"
    public static let allPayments = "payment.#"
    public static let allTillEvents = "till.#"
}

/// Queue names: `<consuming service>.<what it consumes>`.
public enum Queues {
    public static let intakePOSSales = "sales-intake.pos-sales"
    /// Partition `index` of partitioned intake.
    public static func intakePOSSalesPartition(_ index: Int) -> String { "sales-intake.pos-sales.p\(index)" }
    public static let billingSaleRecorded = "billing.sale-recorded"
    public static let ordersSaleRecorded = "orders.sale-recorded"
    public static let ordersCommands = "orders.order-commands"
    public static let collectionsInvoiceIssued = "collections.invoice-issued"
    public static let collectionsPayments = "collections.payments"
    public static let collectionsTills = "collections.pos-tills"
    public static let hrSaleRecorded = "hr.sale-recorded"
    public static let hrShifts = "hr.pos-shifts"
}
