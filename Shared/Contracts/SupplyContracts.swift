/// `stock.transfer.v1`, on `stock.events` as `transfer.<event>.<store>`: a transfer of goods between two stores was
/// shipped (routed by the store it left, `transfer.shipped.<from>`), received (`transfer.received.<to>`), or received
/// short or over (`transfer.incident.<to>`, with each line's difference).
package struct TransferEventV1: Codable, Sendable, Equatable {
    package static let messageType = "stock.transfer.v1"
    package struct Line: Codable, Sendable, Equatable {
        package var sku: String
        package var quantity: Int64
        /// What arrived, once received.
        package var received: Int64?
        package init(sku: String, quantity: Int64, received: Int64?) {
            self.sku = sku
            self.quantity = quantity
            self.received = received
        }
    }
    package var transferId: Int64
    /// `shipped`, `received` or `incident`.
    package var event: String
    package var fromStore: String
    package var toStore: String
    package var lines: [Line]

    package init(transferId: Int64, event: String, fromStore: String, toStore: String, lines: [Line]) {
        self.transferId = transferId
        self.event = event
        self.fromStore = fromStore
        self.toStore = toStore
        self.lines = lines
    }

    package var routingKey: String { "transfer.\(event).\(event == "shipped" ? fromStore : toStore)" }
}

/// `stock.purchase_order.issued.v1`, on `stock.events` as `purchase_order.issued.<supplier>`: an order to a supplier,
/// for its integration to pick up: what to deliver to which store, in the supplier's codes and packs, at its prices.
package struct PurchaseOrderIssuedV1: Codable, Sendable, Equatable {
    package static let messageType = "stock.purchase_order.issued.v1"
    package struct Line: Codable, Sendable, Equatable {
        package var sku: String
        package var supplierCode: String
        /// Units; a whole number of packs.
        package var quantity: Int64
        package var packs: Int64
        package var unitPriceCents: Int64
        package init(sku: String, supplierCode: String, quantity: Int64, packs: Int64, unitPriceCents: Int64) {
            self.sku = sku
            self.supplierCode = supplierCode
            self.quantity = quantity
            self.packs = packs
            self.unitPriceCents = unitPriceCents
        }
    }
    package var purchaseOrderId: Int64
    package var supplierId: String
    package var storeId: String
    /// `yyyy-mm-dd`: today plus the longest lead time of its lines.
    package var expectedOn: String
    package var lines: [Line]
    package var totalCents: Int64

    package init(purchaseOrderId: Int64, supplierId: String, storeId: String, expectedOn: String, lines: [Line], totalCents: Int64) {
        self.purchaseOrderId = purchaseOrderId
        self.supplierId = supplierId
        self.storeId = storeId
        self.expectedOn = expectedOn
        self.lines = lines
        self.totalCents = totalCents
    }

    package var routingKey: String { "purchase_order.issued.\(supplierId)" }
}
