import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Orders' supply API: transfers between stores, suppliers and what they sell (one by one or a CSV), and purchase
/// orders from drafts to deliveries.
enum SupplyRoutes {
    struct TransferBody: Decodable {
        var fromStore: String
        var toStore: String
        var lines: [Transfers.Line]
        var note: String?
    }

    struct ReceivedBody: Decodable {
        struct Line: Decodable {
            var sku: String
            var quantity: Int64
        }
        var lines: [Line]?
        var note: String?
    }

    struct SupplierBody: Decodable {
        var name: String
        var email: String?
    }

    struct OfferBody: Decodable {
        var supplierCode: String
        var packSize: Int64
        var leadTimeDays: Int64
        var priceCents: Int64
    }

    static func add(to router: Router<BasicRequestContext>, database: Database) {
        addTransfers(to: router, database: database)
        addSuppliers(to: router, database: database)
        addPurchaseOrders(to: router, database: database)
    }

    // MARK: Transfers

    private static func addTransfers(to router: Router<BasicRequestContext>, database: Database) {
        router.post("/transfers") { request, context in
            guard let body = try? await request.decode(as: TransferBody.self, context: context) else {
                return error(.badRequest, "the body must be JSON with fromStore, toStore, lines (sku, quantity) and, optionally, note")
            }
            return try await OperationsRoutes.refusing {
                try Transfers.validate(from: body.fromStore, to: body.toStore, lines: body.lines)
                if let note = body.note, note.count > 500 { throw Refusal(.invalid, "a note is at most 500 characters") }
                if let caller = Caller.current, !caller.mayActFor(store: body.fromStore) {
                    return OperationsRoutes.errorResponse(.forbidden, "this token does not act for store \(body.fromStore)")
                }
                let actor = AuditTrail.Actor.current
                let document = try await database.transaction { connection in
                    let id = try Transfers.create(from: body.fromStore, to: body.toStore, lines: body.lines, note: body.note, on: connection)
                    try AuditTrail.record("transfer.created", target: "transfer \(id)", details: "\(body.fromStore) → \(body.toStore)", by: actor, on: connection)
                    return try Transfers.document(id, on: connection) ?? "{}"
                }
                return OperationsRoutes.jsonResponse(.created, document)
            }
        }
        router.get("/transfers") { request, _ in
            let query = request.uri.queryParameters
            let status = query.get("status")
            if let status, !Transfers.statuses.contains(status) { return error(.badRequest, "status is draft, shipped or received") }
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT \(Transfers.json)::text, t.id::text FROM transfers t
                WHERE ($1::text IS NULL OR t.from_store = $1 OR t.to_store = $1) AND ($2::text IS NULL OR t.status = $2) AND t.id < $3
                ORDER BY t.id DESC LIMIT $4
                """, [query.get("store"), status, page.after.flatMap { Int64($0[0]) } ?? Int64.max, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/transfers/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let document = try await database.transaction({ try Transfers.document(id, on: $0) }) else { return error(.notFound, "no transfer \(id)") }
            return OperationsRoutes.jsonResponse(.ok, document)
        }
        router.post("/transfers/:id/ship") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            let actor = AuditTrail.Actor.current
            return try await OperationsRoutes.refusing {
                OperationsRoutes.jsonResponse(.ok, try await database.transaction { connection in
                    try Transfers.ship(id, on: connection)
                    try AuditTrail.record("transfer.shipped", target: "transfer \(id)", details: "", by: actor, on: connection)
                    return try Transfers.document(id, on: connection) ?? "{}"
                })
            }
        }
        router.post("/transfers/:id/receive") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            let received: [String: Int64]
            do throws(Refusal) {
                received = try await receivedLines(request, context: context)
            } catch {
                return self.error(.badRequest, error.message)
            }
            let actor = AuditTrail.Actor.current
            return try await OperationsRoutes.refusing {
                OperationsRoutes.jsonResponse(.ok, try await database.transaction { connection in
                    try Transfers.receive(id, received: received, on: connection)
                    try AuditTrail.record("transfer.received", target: "transfer \(id)", details: "", by: actor, on: connection)
                    return try Transfers.document(id, on: connection) ?? "{}"
                })
            }
        }
    }

    // MARK: Suppliers

    private static func addSuppliers(to router: Router<BasicRequestContext>, database: Database) {
        router.get("/suppliers") { request, _ in
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                "SELECT \(Suppliers.json)::text, s.id FROM suppliers s WHERE s.id > $1 ORDER BY s.id LIMIT $2", [page.afterText, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/suppliers/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let row = try await database.query("SELECT \(Suppliers.json)::text FROM suppliers s WHERE s.id = $1", [id]).first else {
                return error(.notFound, "no supplier \(id)")
            }
            return OperationsRoutes.jsonResponse(.ok, try row.decode(String.self, at: 0))
        }
        router.put("/suppliers/:id") { request, context in
            let id = try context.parameters.require("id")
            guard OperationsRoutes.isIdentifier(id) else { return error(.badRequest, "a supplier's id is 1–48 letters, digits, '-' or '_'") }
            guard let body = try? await request.decode(as: SupplierBody.self, context: context) else {
                return error(.badRequest, "the body must be JSON with name and, optionally, email")
            }
            return try await OperationsRoutes.refusing {
                try Suppliers.checkName(body.name)
                if let email = body.email, !(3...200).contains(email.count) || !email.contains("@") {
                    throw Refusal(.invalid, "email must be an address of at most 200 characters")
                }
                let actor = AuditTrail.Actor.current
                return OperationsRoutes.jsonResponse(.ok, try await database.transaction { connection in
                    try Suppliers.save(supplier: id, name: body.name, email: body.email, on: connection)
                    try AuditTrail.record("supplier.saved", target: "supplier \(id)", details: body.name, by: actor, on: connection)
                    return try connection.query("SELECT \(Suppliers.json)::text FROM suppliers s WHERE s.id = $1", [id])[0].decode(String.self, at: 0)
                })
            }
        }
        router.put("/suppliers/:id/skus/:sku") { request, context in
            let (id, sku) = (try context.parameters.require("id"), try context.parameters.require("sku"))
            guard let body = try? await request.decode(as: OfferBody.self, context: context) else {
                return error(.badRequest, "the body must be JSON with supplierCode, packSize, leadTimeDays and priceCents")
            }
            let offer = Suppliers.Offer(
                supplierId: id, sku: sku, supplierCode: body.supplierCode, packSize: body.packSize, leadTimeDays: body.leadTimeDays,
                priceCents: body.priceCents)
            return try await OperationsRoutes.refusing {
                try Suppliers.check(offer)
                let actor = AuditTrail.Actor.current
                return OperationsRoutes.jsonResponse(.ok, try await database.transaction { connection in
                    guard !(try connection.query("SELECT 1 FROM suppliers WHERE id = $1", [id]).isEmpty) else {
                        throw Refusal(.notFound, "no supplier \(id): PUT /suppliers/\(id) first")
                    }
                    try Suppliers.save(offer, on: connection)
                    try AuditTrail.record("supplier.sku_saved", target: "supplier \(id)", details: sku, by: actor, on: connection)
                    return try connection.query("SELECT \(Suppliers.json)::text FROM suppliers s WHERE s.id = $1", [id])[0].decode(String.self, at: 0)
                })
            }
        }
        // A CSV of suppliers and what they sell: all of it is stored, or none.
        router.post("/suppliers/import") { request, _ in
            let text = String(buffer: try await request.body.collect(upTo: 8 << 20))
            return try await OperationsRoutes.refusing {
                let offers = try Suppliers.parseCSV(text)
                let actor = AuditTrail.Actor.current
                try await database.transaction { connection in
                    for offer in offers {
                        try Suppliers.save(supplier: offer.supplierId, name: offer.supplierName ?? offer.supplierId, email: nil, on: connection)
                        try Suppliers.save(offer, on: connection)
                    }
                    try AuditTrail.record("suppliers.imported", target: "suppliers", details: "\(offers.count) lines", by: actor, on: connection)
                }
                return OperationsRoutes.jsonResponse(
                    .ok, #"{"imported":\#(offers.count),"suppliers":\#(Set(offers.map(\.supplierId)).count)}"#)
            }
        }
    }

    // MARK: Purchase orders

    private static func addPurchaseOrders(to router: Router<BasicRequestContext>, database: Database) {
        router.post("/purchase-orders/drafts") { request, _ in
            guard let store = request.uri.queryParameters.get("store"), OperationsRoutes.isIdentifier(store) else {
                return error(.badRequest, "give the store: /purchase-orders/drafts?store=S001")
            }
            let actor = AuditTrail.Actor.current
            let documents = try await database.transaction { connection in
                let ids = try PurchaseOrders.draft(store: store, on: connection)
                if !ids.isEmpty {
                    try AuditTrail.record("purchase_orders.drafted", target: "store \(store)", details: "\(ids.count) drafts", by: actor, on: connection)
                }
                return try ids.map { try PurchaseOrders.document($0, on: connection) ?? "{}" }
            }
            return OperationsRoutes.jsonResponse(documents.isEmpty ? .ok : .created, #"{"items":[\#(documents.joined(separator: ","))]}"#)
        }
        router.get("/purchase-orders") { request, _ in
            let query = request.uri.queryParameters
            let status = query.get("status")
            if let status, !PurchaseOrders.statuses.contains(status) {
                return error(.badRequest, "status is one of \(PurchaseOrders.statuses.joined(separator: ", "))")
            }
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT \(PurchaseOrders.json)::text, o.id::text FROM purchase_orders o
                WHERE ($1::text IS NULL OR o.store_id = $1) AND ($2::text IS NULL OR o.supplier_id = $2) AND ($3::text IS NULL OR o.status = $3)
                  AND o.id < $4
                ORDER BY o.id DESC LIMIT $5
                """, [query.get("store"), query.get("supplier"), status, page.after.flatMap { Int64($0[0]) } ?? Int64.max, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/purchase-orders/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let document = try await database.transaction({ try PurchaseOrders.document(id, on: $0) }) else {
                return error(.notFound, "no purchase order \(id)")
            }
            return OperationsRoutes.jsonResponse(.ok, document)
        }
        for (action, audited) in [("confirm", "purchase_order.issued"), ("close", "purchase_order.closed")] {
            router.post("/purchase-orders/:id/\(action)") { _, context in
                guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
                let actor = AuditTrail.Actor.current
                return try await OperationsRoutes.refusing {
                    OperationsRoutes.jsonResponse(.ok, try await database.transaction { connection in
                        if action == "confirm" { try PurchaseOrders.confirm(id, on: connection) } else { try PurchaseOrders.close(id, on: connection) }
                        try AuditTrail.record(audited, target: "purchase order \(id)", details: "", by: actor, on: connection)
                        return try PurchaseOrders.document(id, on: connection) ?? "{}"
                    })
                }
            }
        }
        router.post("/purchase-orders/:id/deliveries") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let body = try? await request.decode(as: ReceivedBody.self, context: context), let lines = body.lines, !lines.isEmpty else {
                return error(.badRequest, "the body must be JSON with lines (sku, quantity received) and, optionally, note")
            }
            let received: [String: Int64]
            do throws(Refusal) {
                received = try checked(lines)
            } catch {
                return self.error(.badRequest, error.message)
            }
            if let note = body.note, note.count > 500 { return self.error(.badRequest, "a note is at most 500 characters") }
            let actor = AuditTrail.Actor.current
            return try await OperationsRoutes.refusing {
                OperationsRoutes.jsonResponse(.created, try await database.transaction { connection in
                    try PurchaseOrders.deliver(id, received: received, note: body.note, on: connection)
                    try AuditTrail.record(
                        "purchase_order.delivered", target: "purchase order \(id)", details: "\(received.values.reduce(0, +)) units", by: actor,
                        on: connection)
                    return try PurchaseOrders.document(id, on: connection) ?? "{}"
                })
            }
        }
    }

    /// The lines of a receiving body by SKU (an empty or absent body: every line in full).
    private static func receivedLines(_ request: Request, context: BasicRequestContext) async throws(Refusal) -> [String: Int64] {
        let buffer = (try? await request.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
        if buffer.readableBytes == 0 { return [:] }
        guard let body = try? JSONDecoder().decode(ReceivedBody.self, from: Data(String(buffer: buffer).utf8)) else {
            throw Refusal(.invalid, "the body, when given, is JSON with lines (sku, quantity received)")
        }
        return try checked(body.lines ?? [])
    }

    private static func checked(_ lines: [ReceivedBody.Line]) throws(Refusal) -> [String: Int64] {
        guard lines.count <= 200, Set(lines.map(\.sku)).count == lines.count else { throw Refusal(.invalid, "at most 200 lines, one per SKU") }
        for (index, line) in lines.enumerated() where !OperationsRoutes.isIdentifier(line.sku) || !(0...1_000_000).contains(line.quantity) {
            throw Refusal(.invalid, "lines[\(index)]: the SKU is 1–48 letters, digits, '-' or '_' and the quantity 0–1000000")
        }
        return Dictionary(uniqueKeysWithValues: lines.map { ($0.sku, $0.quantity) })
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        OperationsRoutes.errorResponse(status, message)
    }
}
