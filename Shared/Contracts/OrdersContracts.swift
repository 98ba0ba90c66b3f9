/// `order.register` on exchange `orders.commands`: a customer order to register (the same body as `POST /orders`).
package struct RegisterOrderV1: Codable, Sendable, Equatable {
    package static let messageType = "orders.register.v1"
    package static let routingKey = "order.register"

    package struct Line: Codable, Sendable, Equatable {
        package var sku: String
        package var quantity: Int64
        package init(sku: String, quantity: Int64) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// Chosen by the sender, so that sending the command again registers nothing new.
    package var orderId: String
    package var storeId: String
    package var customer: Party
    package var lines: [Line]

    package init(orderId: String, storeId: String, customer: Party, lines: [Line]) {
        self.orderId = orderId
        self.storeId = storeId
        self.customer = customer
        self.lines = lines
    }
}

/// `order.<status>.<store>` on `orders.events`: a customer order reached a status (or had an incident:
/// `order.incident.<store>`).
package struct OrderEventV1: Codable, Sendable, Equatable {
    package static let messageType = "orders.order.v1"

    package var orderId: String
    package var storeId: String
    /// `registered`, `confirmed`, `picked`, `shipped`, `delivered`, `cancelled`, or `incident`.
    package var event: String
    /// The order's status after the event.
    package var status: String
    package var note: String?
    /// ISO 8601.
    package var at: String

    package init(orderId: String, storeId: String, event: String, status: String, note: String?, at: String) {
        self.orderId = orderId
        self.storeId = storeId
        self.event = event
        self.status = status
        self.note = note
        self.at = at
    }

    package var routingKey: String { "order.\(event).\(storeId)" }
}

/// On `stock.events`: `stock.low.<store>` when a SKU's available stock crosses under its minimum,
/// `stock.negative.<store>` when it goes below zero (the shelf is the truth; the ledger is flagged).
package struct StockLevelV1: Codable, Sendable, Equatable {
    package static let lowType = "stock.low.v1"
    package static let negativeType = "stock.negative.v1"

    package var storeId: String
    package var sku: String
    /// On hand minus reserved, after the movement that crossed.
    package var available: Int64
    package var minimum: Int64?

    package init(storeId: String, sku: String, available: Int64, minimum: Int64?) {
        self.storeId = storeId
        self.sku = sku
        self.available = available
        self.minimum = minimum
    }
}

/// `replenishment.requested.<store>` on `stock.events`: enough to bring a SKU back to its maximum, in multiples.
package struct ReplenishmentRequestedV1: Codable, Sendable, Equatable {
    package static let messageType = "stock.replenishment.requested.v1"

    package var replenishmentId: Int64
    package var storeId: String
    package var sku: String
    package var quantity: Int64

    package init(replenishmentId: Int64, storeId: String, sku: String, quantity: Int64) {
        self.replenishmentId = replenishmentId
        self.storeId = storeId
        self.sku = sku
        self.quantity = quantity
    }
}
