/// `stock.transfer.v1`, on `stock.events` as `transfer.<event>.<store>`: a transfer of goods between two stores was
/// shipped (routed by the store it left, `transfer.shipped.<from>`), received (`transfer.received.<to>`), or received
/// short or over (`transfer.incident.<to>`, with each line's difference).
public struct TransferEventV1: Codable, Sendable, Equatable {
    public static let messageType = "stock.transfer.v1"
    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int64
        /// What arrived, once received.
        public var received: Int64?
        public init(sku: String, quantity: Int64, received: Int64?) {
            self.sku = sku
            self.quantity = quantity
            self.received = received
        }
    }
    public var transferId: Int64
    /// `shipped`, `received` or `incident`.
    public var event: String
    public var fromStore: String
    public var toStore: String
    public var lines: [Line]

    public init(transferId: Int64, event: String, fromStore: String, toStore: String, lines: [Line]) {
        self.transferId = transferId
        self.event = event
        self.fromStore = fromStore
        self.toStore = toStore
        self.lines = lines
    }

    public var routingKey: String { "transfer.\(event).\(event == "shipped" ? fromStore : toStore)" }
}

/// `stock.purchase_order.issued.v1`, on `stock.events` as `purchase_order.issued.<supplier>`: an order to a supplier,
/// for its integration to pick up: what to deliver to which store, in the supplier's codes and packs, at its prices.
public struct PurchaseOrderIssuedV1: Codable, Sendable, Equatable {
    public static let messageType = "stock.purchase_order.issued.v1"
    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var supplierCode: String
        /// Units; a whole number of packs.
        public var quantity: Int64
        public var packs: Int64
        public var unitPriceCents: Int64
        public init(sku: String, supplierCode: String, quantity: Int64, packs: Int64, unitPriceCents: Int64) {
            self.sku = sku
            self.supplierCode = supplierCode
            self.quantity = quantity
            self.packs = packs
            self.unitPriceCents = unitPriceCents
        }
    }
    public var purchaseOrderId: Int64
    public var supplierId: String
    public var storeId: String
    /// `yyyy-mm-dd`: today plus the longest lead time of its lines.
    public var expectedOn: String
    public var lines: [Line]
    public var totalCents: Int64

    public init(purchaseOrderId: Int64, supplierId: String, storeId: String, expectedOn: String, lines: [Line], totalCents: Int64) {
        self.purchaseOrderId = purchaseOrderId
        self.supplierId = supplierId
        self.storeId = storeId
        self.expectedOn = expectedOn
        self.lines = lines
        self.totalCents = totalCents
    }

    public var routingKey: String { "purchase_order.issued.\(supplierId)" }
}
