import Hummingbird
import ServiceRuntime

/// Orders' operations, who may call them and what they take and answer: stock, orders, reorder rules and
/// replenishments are the store manager's, for its stores, and admin's; the accountant and the auditor read them.
enum OrdersAccess {
    static let stores: Set<Role> = [.admin, .storeManager]
    static let readers: Set<Role> = [.admin, .storeManager, .accountant, .auditor]
    static let paging = OperationDocumentation.Query.paging

    static let order = Operation.Store.record(parameter: "id", query: "SELECT store_id FROM orders WHERE id = $1")
    static let replenishment = Operation.Store.record(parameter: "id", query: "SELECT store_id FROM replenishments WHERE id::text = $1")
    static let statuses = ["registered", "confirmed", "picked", "shipped", "delivered", "cancelled"]

    static let policy = AccessPolicy(
        [
            Operation(.get, "/stats", AccessPolicy.readers, .init(
                "the sales this replica has moved stock for since it started", answer: .json(200, .record(["salesMoved": .object([:], required: [])])))),
            Operation(.get, "/stock", readers, store: .query("store"), .init(
                "a store's stock by SKU", query: [.init("store", required: true, "the store")] + paging, answer: .json(200, .page(.reference("Stock"))))),
            Operation(.get, "/stock/{store}/{sku}", readers, store: .path("store"), .init("one SKU's stock in a store", answer: .json(200, .reference("Stock")))),
            Operation(.get, "/stock/{store}/{sku}/movements", readers, store: .path("store"), .init(
                "what moved a SKU's stock, newest first", query: paging,
                answer: .json(200, .page(.record([
                    "kind": .string, "onHandChange": .integer, "reservedChange": .integer, "reference": .string, "at": .dateTime,
                ]))))),
            Operation(.post, "/stock/{store}/{sku}/adjustments", stores, store: .path("store"), .init(
                "adjusts stock on hand after a count, a breakage…",
                body: .record(["quantity": .integer(minimum: -1_000_000, maximum: 1_000_000), "reason": .text(200)]),
                answer: .json(200, .record(["storeId": .string, "sku": .string, "available": .integer])))),
            Operation(.get, "/orders", readers, store: .query("store"), .init(
                "customer orders, oldest first",
                query: [.init("store", "the store (required of a store manager)"), .init("status", .oneOf(statuses), "only those in this status")] + paging,
                answer: .json(200, .page(.record([
                    "orderId": .string, "storeId": .string, "status": .oneOf(statuses), "customer": .anything, "createdAt": .dateTime,
                    "updatedAt": .dateTime,
                ]))))),
            Operation(.post, "/orders", stores, store: .handler, .init(
                "registers a customer order, reserving its stock (200 when it was registered before)",
                body: .record([
                    "orderId": .identifier, "storeId": .identifier, "customer": .object(["taxId": .taxId, "name": .text(120), "address": .text(200)], required: []),
                    "lines": .array(.record(["sku": .identifier, "quantity": .integer(minimum: 1, maximum: 1_000_000)])),
                ]),
                answer: .createdOrFound(.reference("Order")))),
            Operation(.get, "/orders/{id}", readers, store: order, .init("one order with its lines and history", answer: .json(200, .reference("Order")))),
            Operation(.post, "/orders/{id}/transitions", stores, store: order, .init(
                "moves an order to its next status", body: .object(["to": .oneOf(statuses), "note": .string], required: ["to"]),
                answer: .json(200, .reference("Order")))),
            Operation(.post, "/orders/{id}/incidents", stores, store: order, .init(
                "notes an incident on an order", body: .record(["kind": .string, "note": .text(1000)]),
                answer: .json(201, .reference("Order")))),
            Operation(.get, "/reorder-rules", readers, store: .query("store"), .init(
                "reorder rules by store and SKU", query: [.init("store", "the store (required of a store manager)")] + paging,
                answer: .json(200, .page(.reference("ReorderRule"))))),
            Operation(.put, "/reorder-rules/{store}/{sku}", stores, store: .path("store"), .init(
                "sets when a SKU is reordered and how much",
                body: .object(["minimum": .integer(minimum: 0), "maximum": .integer(minimum: 1), "multiple": .integer(minimum: 1)],
                              required: ["minimum", "maximum"]),
                answer: .json(200, .reference("ReorderRule")))),
            Operation(.post, "/reorder-rules/import", [.admin], .init(
                "sets many reorder rules from a CSV (store,sku,minimum,maximum,multiple): all or none", body: .string, bodyMedia: "text/csv",
                answer: .json(200, .record(["imported": .integer])))),
            Operation(.get, "/replenishments", readers, store: .query("store"), .init(
                "replenishments requested by the reorder rules",
                query: [.init("status", .oneOf(["open", "received"]), "the default is open"), .init("store", "the store (required of a store manager)")]
                    + paging,
                answer: .json(200, .page(.record([
                    "id": .integer, "storeId": .string, "sku": .string, "quantity": .integer, "status": .oneOf(["open", "received"]),
                    "requestedAt": .dateTime, "receivedAt": .nullable(.dateTime), "receivedQuantity": .nullable(.integer),
                ]))))),
            Operation(.post, "/replenishments/{id}/receive", stores, store: replenishment, .init(
                "receives a replenishment into stock (all of it unless a quantity is given)", path: ["id": .integer],
                body: .object(["quantity": .integer(minimum: 1, maximum: 1_000_000)], required: []),
                answer: .json(200, .record(["id": .integer, "status": .oneOf(["received"]), "receivedQuantity": .integer])))),
        ],
        schemas: [
            "Stock": .record([
                "storeId": .string, "sku": .string, "onHand": .integer, "reserved": .integer, "available": .integer, "negative": .boolean,
            ]),
            "ReorderRule": .record(["storeId": .string, "sku": .string, "minimum": .integer, "maximum": .integer, "multiple": .integer]),
            "Order": .record([
                "orderId": .string, "storeId": .string, "customer": .anything, "status": .oneOf(statuses), "createdAt": .dateTime,
                "updatedAt": .dateTime, "next": .array(.oneOf(statuses)),
                "lines": .array(.record(["sku": .string, "quantity": .integer])),
                "history": .array(.record(["event": .string, "status": .nullable(.string), "note": .nullable(.string), "at": .dateTime])),
                "incidents": .array(.record(["note": .nullable(.string), "at": .dateTime])),
            ]),
        ])
}
