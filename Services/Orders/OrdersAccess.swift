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
    static let transferSender = Operation.Store.record(parameter: "id", query: "SELECT from_store FROM transfers WHERE id::text = $1")
    static let transferReceiver = Operation.Store.record(parameter: "id", query: "SELECT to_store FROM transfers WHERE id::text = $1")
    static let purchaseOrder = Operation.Store.record(parameter: "id", query: "SELECT store_id FROM purchase_orders WHERE id::text = $1")
    static let receivedLines = Schema.object(
        ["lines": .array(.record(["sku": .identifier, "quantity": .integer(minimum: 0, maximum: 1_000_000)])), "note": .text(500)], required: [])

    static let policy = AccessPolicy(
        [
            BatchActivity.statsOperation(as: "salesMoved", "the sales this replica has moved stock for since it started"),
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
                body: .object(
                    ["minimum": .integer(minimum: 0), "maximum": .integer(minimum: 1), "multiple": .integer(minimum: 1), "transferFrom": .identifier],
                    required: ["minimum", "maximum"]),
                answer: .json(200, .reference("ReorderRule")))),
            Operation(.post, "/reorder-rules/import", [.admin], .init(
                "sets many reorder rules from a CSV (store,sku,minimum,maximum,multiple and, optionally, transfer_from): all or none", body: .string, bodyMedia: "text/csv",
                answer: .json(200, .record(["imported": .integer])))),
            Operation(.get, "/replenishments", readers, store: .query("store"), .init(
                "replenishments requested by the reorder rules",
                query: [.init("status", .oneOf(["open", "received"]), "the default is open"), .init("store", "the store (required of a store manager)")]
                    + paging,
                answer: .json(200, .page(.record([
                    "id": .integer, "storeId": .string, "sku": .string, "quantity": .integer, "status": .oneOf(["open", "received"]),
                    "requestedAt": .dateTime, "receivedAt": .nullable(.dateTime), "receivedQuantity": .nullable(.integer),
                    "source": .described(.oneOf(["purchase", "transfer"]), "bought from a supplier, or brought from another store"),
                    "purchaseOrderId": .nullable(.integer),
                ]))))),
            Operation(.post, "/replenishments/{id}/receive", stores, store: replenishment, .init(
                "receives a replenishment into stock (all of it unless a quantity is given)", path: ["id": .integer],
                body: .object(["quantity": .integer(minimum: 1, maximum: 1_000_000)], required: []),
                answer: .json(200, .record(["id": .integer, "status": .oneOf(["received"]), "receivedQuantity": .integer])))),
            Operation(.post, "/transfers", stores, store: .handler, .init(
                "drafts a transfer of goods from one store (the caller's) to another",
                body: .object([
                    "fromStore": .identifier, "toStore": .identifier, "note": .text(500),
                    "lines": .array(.record(["sku": .identifier, "quantity": .integer(minimum: 1, maximum: 1_000_000)])),
                ], required: ["fromStore", "toStore", "lines"]),
                answer: .json(201, .reference("Transfer")))),
            Operation(.get, "/transfers", readers, store: .query("store"), .init(
                "transfers from or to a store, newest first",
                query: [.init("store", "from or to this store (required of a store manager)"), .init("status", .oneOf(Transfers.statuses), "only those in this status")]
                    + paging,
                answer: .json(200, .page(.reference("Transfer"))))),
            Operation(.get, "/transfers/{id}", readers, store: transferSender, .init(
                "one transfer with its lines", path: ["id": .integer], answer: .json(200, .reference("Transfer")))),
            Operation(.post, "/transfers/{id}/ship", stores, store: transferSender, .init(
                "ships a draft transfer: the stock leaves the sender and is in transit", path: ["id": .integer],
                answer: .json(200, .reference("Transfer")))),
            Operation(.post, "/transfers/{id}/receive", stores, store: transferReceiver, .init(
                "receives a shipped transfer, every line in full unless lines say what arrived; a difference is an incident",
                path: ["id": .integer], body: receivedLines, answer: .json(200, .reference("Transfer")))),
            Operation(.get, "/suppliers", readers, .init("suppliers and what they sell", query: paging, answer: .json(200, .page(.reference("Supplier"))))),
            Operation(.get, "/suppliers/{id}", readers, .init("one supplier and what it sells", answer: .json(200, .reference("Supplier")))),
            Operation(.put, "/suppliers/{id}", [.admin], .init(
                "sets a supplier's name (and email)", body: .object(["name": .text(120), "email": .string(maxLength: 200)], required: ["name"]),
                answer: .json(200, .reference("Supplier")))),
            Operation(.put, "/suppliers/{id}/skus/{sku}", [.admin], .init(
                "sets what a supplier sells a SKU as: its code, pack, lead time and price",
                body: .record([
                    "supplierCode": .text(60), "packSize": .integer(minimum: 1, maximum: 100_000), "leadTimeDays": .integer(minimum: 0, maximum: 365),
                    "priceCents": .integer(minimum: 0, maximum: 100_000_000),
                ]),
                answer: .json(200, .reference("Supplier")))),
            Operation(.post, "/suppliers/import", [.admin], .init(
                "sets suppliers and what they sell from a CSV (\(Suppliers.csvHeader)): all or none", body: .string, bodyMedia: "text/csv",
                answer: .json(200, .record(["imported": .integer, "suppliers": .integer])))),
            Operation(.post, "/purchase-orders/drafts", stores, store: .query("store"), .init(
                "groups a store's open replenishments to buy into one draft purchase order per supplier (201 with the drafts, 200 when there was nothing to group)",
                query: [.init("store", required: true, "the store")],
                answer: .createdOrFound(.record(["items": .array(.reference("PurchaseOrder"))])))),
            Operation(.get, "/purchase-orders", readers, store: .query("store"), .init(
                "purchase orders, newest first",
                query: [
                    .init("store", "the store (required of a store manager)"), .init("supplier", "a supplier"),
                    .init("status", .oneOf(PurchaseOrders.statuses), "only those in this status"),
                ] + paging,
                answer: .json(200, .page(.reference("PurchaseOrder"))))),
            Operation(.get, "/purchase-orders/{id}", readers, store: purchaseOrder, .init(
                "one purchase order with its lines and deliveries", path: ["id": .integer], answer: .json(200, .reference("PurchaseOrder")))),
            Operation(.post, "/purchase-orders/{id}/confirm", stores, store: purchaseOrder, .init(
                "issues a draft to its supplier (purchase_order.issued)", path: ["id": .integer], answer: .json(200, .reference("PurchaseOrder")))),
            Operation(.post, "/purchase-orders/{id}/close", stores, store: purchaseOrder, .init(
                "closes an order that will bring no more: what is missing goes back to the replenishments to order", path: ["id": .integer],
                answer: .json(200, .reference("PurchaseOrder")))),
            Operation(.post, "/purchase-orders/{id}/deliveries", stores, store: purchaseOrder, .init(
                "records a delivery against an issued order: stock in, replenishments closed when their line is in full",
                path: ["id": .integer], body: .object(
                    ["lines": .array(.record(["sku": .identifier, "quantity": .integer(minimum: 0, maximum: 1_000_000)])), "note": .text(500)],
                    required: ["lines"]),
                answer: .json(201, .reference("PurchaseOrder")))),
        ],
        schemas: [
            "Stock": .record([
                "storeId": .string, "sku": .string, "onHand": .integer, "reserved": .integer, "available": .integer, "negative": .boolean,
                "inTransit": .described(.integer, "shipped to this store by a transfer, not yet received"),
            ]),
            "ReorderRule": .record([
                "storeId": .string, "sku": .string, "minimum": .integer, "maximum": .integer, "multiple": .integer,
                "transferFrom": .described(.nullable(.string), "a store to bring it from, when that store has more than its own maximum"),
            ]),
            "Transfer": .record([
                "id": .integer, "fromStore": .string, "toStore": .string, "status": .oneOf(Transfers.statuses), "note": .nullable(.string),
                "replenishmentId": .nullable(.integer), "createdAt": .dateTime, "shippedAt": .nullable(.dateTime), "receivedAt": .nullable(.dateTime),
                "lines": .array(.record(["sku": .string, "quantity": .integer, "received": .nullable(.integer)])),
            ]),
            "Supplier": .record([
                "id": .string, "name": .string, "email": .nullable(.string),
                "skus": .array(.record(["sku": .string, "supplierCode": .string, "packSize": .integer, "leadTimeDays": .integer, "priceCents": .cents])),
            ]),
            "PurchaseOrder": .record([
                "id": .integer, "supplierId": .string, "storeId": .string, "status": .oneOf(PurchaseOrders.statuses), "createdAt": .dateTime,
                "issuedAt": .nullable(.dateTime), "expectedOn": .nullable(.date), "totalCents": .cents,
                "lines": .array(.record([
                    "sku": .string, "supplierCode": .string, "quantity": .integer, "packSize": .integer, "unitPriceCents": .cents, "received": .integer,
                    "replenishmentId": .nullable(.integer),
                ])),
                "deliveries": .array(.record(["id": .integer, "lines": .anything, "note": .nullable(.string), "receivedAt": .dateTime])),
            ]),
            "Order": .record([
                "orderId": .string, "storeId": .string, "customer": .anything, "status": .oneOf(statuses), "createdAt": .dateTime,
                "updatedAt": .dateTime, "next": .array(.oneOf(statuses)),
                "lines": .array(.record(["sku": .string, "quantity": .integer])),
                "history": .array(.record(["event": .string, "status": .nullable(.string), "note": .nullable(.string), "at": .dateTime])),
                "incidents": .array(.record(["note": .nullable(.string), "at": .dateTime])),
            ]),
        ])
}
