import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Orders' HTTP API: stock and its ledger, adjustments, reorder rules (one by one or a CSV), replenishments, and
/// customer orders with their transitions and incidents.
enum OrdersRoutes {
    struct AdjustmentBody: Decodable {
        var quantity: Int64
        var reason: String
    }

    struct RuleBody: Decodable {
        var minimum: Int64
        var maximum: Int64
        var multiple: Int64?
        var transferFrom: String?
    }

    struct ReceiveBody: Decodable {
        var quantity: Int64?
    }

    struct TransitionBody: Decodable {
        var to: String
        var note: String?
    }

    struct IncidentBody: Decodable {
        var kind: String
        var note: String
    }

    static func add(to router: Router<BasicRequestContext>, database: Database, salesActivity: BatchActivity) {
        salesActivity.serveStats(as: "salesMoved", on: router)
        addStock(to: router, database: database)
        addReorderRules(to: router, database: database)
        addOrders(to: router, database: database)
        SupplyRoutes.add(to: router, database: database)
    }

    // MARK: Stock

    private static func addStock(to router: Router<BasicRequestContext>, database: Database) {
        router.get("/stock") { request, _ in
            guard let store = request.uri.queryParameters.get("store"), OperationsRoutes.isIdentifier(store) else {
                return error(.badRequest, "give the store: /stock?store=S001")
            }
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT json_build_object('storeId', store_id, 'sku', sku, 'onHand', on_hand, 'reserved', reserved,
                    'available', on_hand - reserved, 'negative', on_hand - reserved < 0, 'inTransit', in_transit)::text, sku
                FROM stock WHERE store_id = $1 AND sku > $2 ORDER BY sku LIMIT $3
                """, [store, page.afterText, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/stock/:store/:sku") { _, context in
            let (store, sku) = (try context.parameters.require("store"), try context.parameters.require("sku"))
            let rows = try await database.query(
                """
                SELECT json_build_object('storeId', store_id, 'sku', sku, 'onHand', on_hand, 'reserved', reserved,
                    'available', on_hand - reserved, 'negative', on_hand - reserved < 0, 'inTransit', in_transit)::text
                FROM stock WHERE store_id = $1 AND sku = $2
                """, [store, sku])
            guard let row = rows.first else { return error(.notFound, "no stock of \(sku) in \(store)") }
            return OperationsRoutes.jsonResponse(.ok, try row.decode(String.self, at: 0))
        }
        router.get("/stock/:store/:sku/movements") { request, context in
            let (store, sku) = (try context.parameters.require("store"), try context.parameters.require("sku"))
            // Newest first.
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT json_build_object('kind', kind, 'onHandChange', on_hand_change,
                    'reservedChange', reserved_change, 'reference', reference, 'at', at)::text, id::text
                FROM movements WHERE store_id = $1 AND sku = $2 AND id < $3 ORDER BY id DESC LIMIT $4
                """, [store, sku, page.after.flatMap { Int64($0[0]) } ?? Int64.max, page.limit + 1])
            return try page.response(rows)
        }
        router.post("/stock/:store/:sku/adjustments") { request, context in
            let (store, sku) = (try context.parameters.require("store"), try context.parameters.require("sku"))
            guard OperationsRoutes.isIdentifier(store), OperationsRoutes.isIdentifier(sku) else {
                return error(.badRequest, "store and SKU are 1–48 letters, digits, '-' or '_'")
            }
            guard let body = try? await request.decode(as: AdjustmentBody.self, context: context) else {
                return error(.badRequest, "the body must be JSON with quantity (a whole number, + or −) and reason")
            }
            guard body.quantity != 0, body.quantity.magnitude <= 1_000_000, !body.reason.isEmpty, body.reason.count <= 200 else {
                return error(.badRequest, "quantity must be a non-zero whole number up to 1000000 either way, reason 1–200 characters")
            }
            let movement = StockMovement(
                storeId: store, sku: sku, kind: .adjustment, onHandChange: body.quantity, reservedChange: 0, reference: body.reason)
            let actor = AuditTrail.Actor.current
            let available = try await database.transaction { connection in
                let available = try StockLedger.apply([movement], on: connection)
                try AuditTrail.record(
                    "stock.adjusted", target: "stock \(store)/\(sku)", details: "\(body.quantity > 0 ? "+" : "")\(body.quantity): \(body.reason)", by: actor,
                    on: connection)
                return available
            }
            return OperationsRoutes.jsonResponse(
                .ok, #"{"storeId":"\#(store)","sku":"\#(sku)","available":\#(available[StockKey(storeId: store, sku: sku)] ?? 0)}"#)
        }
        router.get("/replenishments") { request, _ in
            let status = request.uri.queryParameters.get("status") ?? "open"
            guard ["open", "received"].contains(status) else { return error(.badRequest, "status is open or received") }
            let store = request.uri.queryParameters.get("store")
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT json_build_object('id', id, 'storeId', store_id, 'sku', sku, 'quantity', quantity,
                    'status', status, 'requestedAt', requested_at, 'receivedAt', received_at, 'receivedQuantity', received_quantity,
                    'source', source, 'purchaseOrderId', purchase_order_id)::text, id::text
                FROM replenishments WHERE status = $1 AND ($2::text IS NULL OR store_id = $2) AND id > $3 ORDER BY id LIMIT $4
                """, [status, store, page.after.flatMap { Int64($0[0]) } ?? 0, page.limit + 1])
            return try page.response(rows)
        }
        router.post("/replenishments/:id/receive") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            let body = (try? await request.decode(as: ReceiveBody.self, context: context)) ?? ReceiveBody()
            if let quantity = body.quantity, !(1...1_000_000).contains(quantity) {
                return error(.badRequest, "quantity, when given, is 1–1000000")
            }
            let actor = AuditTrail.Actor.current
            let received = try await database.transaction { connection -> Int64? in
                guard let row = try connection.query(
                    """
                    UPDATE replenishments SET status = 'received', received_at = now(), received_quantity = coalesce($2, quantity)
                    WHERE id = $1 AND status = 'open' RETURNING store_id, sku, received_quantity
                    """, [id, body.quantity]
                ).first else { return nil }
                let quantity: Int64 = try row.decode(at: 2)
                try StockLedger.apply(
                    [
                        StockMovement(
                            storeId: try row.decode(at: 0), sku: try row.decode(at: 1), kind: .replenishment, onHandChange: quantity,
                            reservedChange: 0, reference: "replenishment \(id)")
                    ], on: connection)
                try AuditTrail.record("replenishment.received", target: "replenishment \(id)", details: "\(quantity) units", by: actor, on: connection)
                return quantity
            }
            guard let received else { return error(.conflict, "replenishment \(id) is not open (unknown, or received already)") }
            return OperationsRoutes.jsonResponse(.ok, #"{"id":\#(id),"status":"received","receivedQuantity":\#(received)}"#)
        }
    }

    // MARK: Reorder rules

    private static func addReorderRules(to router: Router<BasicRequestContext>, database: Database) {
        router.put("/reorder-rules/:store/:sku") { request, context in
            let (store, sku) = (try context.parameters.require("store"), try context.parameters.require("sku"))
            guard let body = try? await request.decode(as: RuleBody.self, context: context) else {
                return error(.badRequest, "the body must be JSON with minimum, maximum and (optionally) multiple")
            }
            if let problem = problem(
                store: store, sku: sku, minimum: body.minimum, maximum: body.maximum, multiple: body.multiple ?? 1, transferFrom: body.transferFrom)
            {
                return error(.badRequest, problem)
            }
            let actor = AuditTrail.Actor.current
            try await database.transaction { connection in
                try saveRule(
                    store: store, sku: sku, minimum: body.minimum, maximum: body.maximum, multiple: body.multiple ?? 1, transferFrom: body.transferFrom,
                    on: connection)
                try AuditTrail.record(
                    "reorder_rule.set", target: "reorder rule \(store)/\(sku)", details: "\(body.minimum)–\(body.maximum) by \(body.multiple ?? 1)", by: actor,
                    on: connection)
            }
            return try await OperationsRoutes.queryJSON(
                database, "SELECT \(ruleJSON)::text FROM reorder_rules WHERE store_id = $1 AND sku = $2", [store, sku])
        }
        // A CSV with a header line `store,sku,minimum,maximum,multiple` (and, optionally, `,transfer_from`): all rules
        // are stored, or none.
        router.post("/reorder-rules/import") { request, _ in
            let buffer = try await request.body.collect(upTo: 8 << 20)
            let text = String(buffer: buffer)
            var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let headers = ["store,sku,minimum,maximum,multiple", "store,sku,minimum,maximum,multiple,transfer_from"]
            guard let header = lines.first, let columns = headers.first(where: { header.lowercased().replacingOccurrences(of: " ", with: "") == $0 })
            else { return error(.badRequest, "the first line must be store,sku,minimum,maximum,multiple (and, optionally, ,transfer_from)") }
            let width = columns.split(separator: ",").count
            lines.removeFirst()
            var rules: [(String, String, Int64, Int64, Int64, String?)] = []
            for (index, line) in lines.enumerated() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count == width, let minimum = Int64(fields[2]), let maximum = Int64(fields[3]), let multiple = Int64(fields[4]) else {
                    return error(.badRequest, "line \(index + 2): expected \(columns) with whole numbers")
                }
                let transferFrom = width == 6 && !fields[5].isEmpty ? fields[5] : nil
                if let problem = problem(store: fields[0], sku: fields[1], minimum: minimum, maximum: maximum, multiple: multiple, transferFrom: transferFrom) {
                    return error(.badRequest, "line \(index + 2): \(problem)")
                }
                rules.append((fields[0], fields[1], minimum, maximum, multiple, transferFrom))
            }
            let toSave = rules
            let actor = AuditTrail.Actor.current
            try await database.transaction { connection in
                for rule in toSave {
                    try saveRule(store: rule.0, sku: rule.1, minimum: rule.2, maximum: rule.3, multiple: rule.4, transferFrom: rule.5, on: connection)
                }
                try AuditTrail.record("reorder_rules.imported", target: "reorder rules", details: "\(toSave.count) rules", by: actor, on: connection)
            }
            return OperationsRoutes.jsonResponse(.ok, #"{"imported":\#(rules.count)}"#)
        }
        router.get("/reorder-rules") { request, _ in
            let store = request.uri.queryParameters.get("store")
            let page = try PageRequest.read(request, keys: 2)
            let rows = try await database.query(
                """
                SELECT \(ruleJSON)::text, store_id, sku
                FROM reorder_rules WHERE ($1::text IS NULL OR store_id = $1) AND (store_id, sku) > ($2::text, $3::text)
                ORDER BY store_id, sku LIMIT $4
                """, [store, page.afterText, page.after?[1] ?? "", page.limit + 1])
            return try page.response(rows, keys: 2)
        }
    }

    static let ruleJSON = """
        json_build_object('storeId', store_id, 'sku', sku, 'minimum', minimum, 'maximum', maximum, 'multiple', multiple, 'transferFrom', transfer_from)
        """

    private static func problem(store: String, sku: String, minimum: Int64, maximum: Int64, multiple: Int64, transferFrom: String?) -> String? {
        guard OperationsRoutes.isIdentifier(store), OperationsRoutes.isIdentifier(sku) else {
            return "store and SKU are 1–48 letters, digits, '-' or '_'"
        }
        if let transferFrom, !OperationsRoutes.isIdentifier(transferFrom) || transferFrom == store {
            return "transferFrom is another store: 1–48 letters, digits, '-' or '_'"
        }
        guard minimum >= 0, maximum > minimum, maximum <= 10_000_000, multiple >= 1, multiple <= maximum else {
            return "0 ≤ minimum < maximum ≤ 10000000 and 1 ≤ multiple ≤ maximum"
        }
        return nil
    }

    private static func saveRule(
        store: String, sku: String, minimum: Int64, maximum: Int64, multiple: Int64, transferFrom: String?, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO reorder_rules (store_id, sku, minimum, maximum, multiple, transfer_from) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (store_id, sku) DO UPDATE SET minimum = excluded.minimum, maximum = excluded.maximum, multiple = excluded.multiple,
                transfer_from = excluded.transfer_from
            """, [store, sku, minimum, maximum, multiple, transferFrom])
    }

    // MARK: Customer orders

    private static func addOrders(to router: Router<BasicRequestContext>, database: Database) {
        router.post("/orders") { request, context in
            guard let order = try? await request.decode(as: RegisterOrderV1.self, context: context) else {
                return error(.badRequest, "the body must be JSON with orderId, storeId, customer and lines (sku, quantity)")
            }
            do throws(Refusal) {
                try CustomerOrders.validate(order)
            } catch {
                return Self.error(.badRequest, error.message)
            }
            if let caller = Caller.current, !caller.mayActFor(store: order.storeId) {
                return OperationsRoutes.errorResponse(.forbidden, "this token does not act for store \(order.storeId)")
            }
            let created = try await database.transaction { try CustomerOrders.register(order, on: $0) }
            return OperationsRoutes.jsonResponse(created ? .created : .ok, try await CustomerOrders.document(order.orderId, database: database) ?? "{}")
        }
        router.get("/orders") { request, _ in
            let store = request.uri.queryParameters.get("store")
            let status = request.uri.queryParameters.get("status")
            if let status, CustomerOrders.Status(rawValue: status) == nil {
                return error(.badRequest, "status is one of \(CustomerOrders.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let page = try PageRequest.read(request, keys: 2)
            let rows = try await database.query(
                """
                SELECT json_build_object('orderId', id, 'storeId', store_id, 'status', status, 'customer', customer,
                    'createdAt', created_at, 'updatedAt', updated_at)::text, created_at::text, id
                FROM orders WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR status = $2)
                    AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::text))
                ORDER BY created_at, id LIMIT $5
                """, [store, status, page.after?[0], page.after?[1], page.limit + 1])
            return try page.response(rows, keys: 2)
        }
        router.get("/orders/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let document = try await CustomerOrders.document(id, database: database) else { return error(.notFound, "no order \(id)") }
            return OperationsRoutes.jsonResponse(.ok, document)
        }
        router.post("/orders/:id/transitions") { request, context in
            let id = try context.parameters.require("id")
            guard let body = try? await request.decode(as: TransitionBody.self, context: context) else {
                return error(.badRequest, #"the body must be JSON with "to" (the new status) and, optionally, "note""#)
            }
            guard let target = CustomerOrders.Status(rawValue: body.to) else {
                return error(.badRequest, "to is one of \(CustomerOrders.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try await OperationsRoutes.refusing {
                try await database.transaction { try CustomerOrders.transition(id, to: target, note: body.note, on: $0) }
                return OperationsRoutes.jsonResponse(.ok, try await CustomerOrders.document(id, database: database) ?? "{}")
            }
        }
        router.post("/orders/:id/incidents") { request, context in
            let id = try context.parameters.require("id")
            guard let body = try? await request.decode(as: IncidentBody.self, context: context), !body.note.isEmpty, body.note.count <= 1000 else {
                return error(.badRequest, "the body must be JSON with kind and a note of 1–1000 characters")
            }
            return try await OperationsRoutes.refusing {
                try await database.transaction { try CustomerOrders.incident(id, kind: body.kind, note: body.note, on: $0) }
                return OperationsRoutes.jsonResponse(.created, try await CustomerOrders.document(id, database: database) ?? "{}")
            }
        }
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        OperationsRoutes.errorResponse(status, message)
    }
}
