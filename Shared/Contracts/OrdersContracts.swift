/// `order.register` on exchange `orders.commands`: a customer order to register (the same body as `POST /orders`).
public struct RegisterOrderV1: Codable, Sendable, Equatable {
    public static let messageType = "orders.register.v1"
    public static let routingKey = "order.register"

    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int64
        public init(sku: String, quantity: Int64) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// Chosen by the sender, so that sending the command again registers nothing new.
    public var orderId: String
    public var storeId: String
    public var customer: Party
    public var lines: [Line]

    public init(orderId: String, storeId: String, customer: Party, lines: [Line]) {
        self.orderId = orderId
        self.storeId = storeId
        self.customer = customer
        self.lines = lines
    }
}

/// `order.<status>.<store>` on `orders.events`: a customer order reached a status (or had an incident:
/// `order.incident.<store>`).
public struct OrderEventV1: Codable, Sendable, Equatable {
    public static let messageType = "orders.order.v1"

    public var orderId: String
    public var storeId: String
    /// `registered`, `confirmed`, `picked`, `shipped`, `delivered`, `cancelled`, or `incident`.
    public var event: String
    /// The order's status after the event.
    public var status: String
    public var note: String?
    /// ISO 8601.
    public var at: String

    public init(orderId: String, storeId: String, event: String, status: String, note: String?, at: String) {
        self.orderId = orderId
        self.storeId = storeId
        self.event = event
        self.status = status
        self.note = note
        self.at = at
    }

    public var routingKey: String { "order.\(event).\(storeId)" }
}

/// On `stock.events`: `stock.low.<store>` when a SKU's available stock crosses under its minimum,
/// `stock.negative.<store>` when it goes below zero (the shelf is the truth; the ledger is flagged).
public struct StockLevelV1: Codable, Sendable, Equatable {
    public static let lowType = "stock.low.v1"
    public static let negativeType = "stock.negative.v1"

    public var storeId: String
    public var sku: String
    /// On hand minus reserved, after the movement that crossed.
    public var available: Int64
    public var minimum: Int64?

    public init(storeId: String, sku: String, available: Int64, minimum: Int64?) {
        self.storeId = storeId
        self.sku = sku
        self.available = available
        self.minimum = minimum
    }
}

/// `replenishment.requested.<store>` on `stock.events`: enough to bring a SKU back to its maximum, in multiples.
public struct ReplenishmentRequestedV1: Codable, Sendable, Equatable {
    public static let messageType = "stock.replenishment.requested.v1"

    public var replenishmentId: Int64
    public var storeId: String
    public var sku: String
    public var quantity: Int64

    public init(replenishmentId: Int64, storeId: String, sku: String, quantity: Int64) {
        self.replenishmentId = replenishmentId
        self.storeId = storeId
        self.sku = sku
        self.quantity = quantity
    }
}
