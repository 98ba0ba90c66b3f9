import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Collections' HTTP API: customers and their terms, receivables, statements, payments, aging, dunning (levels and
/// history), notes from customer care, write-offs, and the clock.
enum CollectionsRoutes {
    struct CustomerBody: Decodable {
        var name: String?
        var paymentTermsDays: Int
    }

    struct NoteBody: Decodable {
        var author: String
        var text: String
    }

    struct WriteOffBody: Decodable {
        var reason: String
    }

    struct ClockBody: Decodable {
        var today: String?
    }

    static func add(to router: Router<BasicRequestContext>, database: Database, settings: CollectionsSettings, documentsActivity: BatchActivity) {
        TillRoutes.add(to: router, database: database)
        documentsActivity.serveStats(as: "documentsRead", on: router)
        router.put("/customers/:taxId") { request, context in
            let taxId = try context.parameters.require("taxId")
            guard OperationsRoutes.isTaxId(taxId) else { return error(.badRequest, "the tax id must be 2–20 letters and digits") }
            guard let body = try? await request.decode(as: CustomerBody.self, context: context), (0...365).contains(body.paymentTermsDays)
            else { return error(.badRequest, "the body must be JSON with paymentTermsDays (0–365) and, optionally, name") }
            let actor = AuditTrail.Actor.current
            try await database.transaction { connection in
                try connection.query(
                    """
                    INSERT INTO customers (tax_id, name, payment_terms_days) VALUES ($1, $2, $3)
                    ON CONFLICT (tax_id) DO UPDATE SET name = coalesce(excluded.name, customers.name), payment_terms_days = excluded.payment_terms_days
                    """, [taxId, body.name, body.paymentTermsDays])
                try AuditTrail.record(
                    "customer.terms_set", target: "customer \(taxId)", details: "\(body.paymentTermsDays) days", by: actor, on: connection)
            }
            return try await customerResponse(taxId, database: database)
        }
        router.get("/customers/:taxId") { _, context in
            try await customerResponse(try context.parameters.require("taxId"), database: database)
        }
        router.get("/receivables") { request, _ in
            let query = request.uri.queryParameters
            let status = query.get("status") ?? "open"
            guard ["open", "paid", "written_off", "cancelled"].contains(status) else {
                return error(.badRequest, "status is open, paid, written_off or cancelled")
            }
            let page = try PageRequest.read(request, keys: 2)
            let rows = try await database.query(
                """
                SELECT \(receivableJSON)::text, r.due_date::text, r.id::text FROM receivables r
                WHERE r.status = $1 AND ($2::text IS NULL OR r.customer_tax_id = $2) AND ($3::text IS NULL OR r.store_id = $3)
                    AND ($4::date IS NULL OR (r.due_date, r.id) > ($4::date, $5::bigint))
                ORDER BY r.due_date, r.id LIMIT $6
                """, [status, query.get("customer"), query.get("store"), page.after?[0], page.after?[1], page.limit + 1])
            return try page.response(rows, keys: 2)
        }
        router.get("/customers/:taxId/statement") { _, context in
            let taxId = try context.parameters.require("taxId")
            let rows = try await database.query(
                """
                SELECT json_build_object('customerTaxId', c.tax_id, 'name', c.name, 'creditCents', c.credit_cents,
                    'balanceCents', (SELECT coalesce(sum(amount_cents), 0) FROM account_entries e WHERE e.customer_tax_id = c.tax_id),
                    'entries', (SELECT coalesce(json_agg(json_build_object('kind', kind, 'reference', reference, 'amountCents', amount_cents,
                        'at', at) ORDER BY id), '[]') FROM account_entries e WHERE e.customer_tax_id = c.tax_id),
                    'open', (SELECT coalesce(json_agg(\(receivableJSON) ORDER BY r.due_date, r.id), '[]') FROM receivables r
                             WHERE r.customer_tax_id = c.tax_id AND r.status = 'open'))::text
                FROM customers c WHERE c.tax_id = $1
                """, [taxId])
            guard let row = rows.first else { return error(.notFound, "no customer \(taxId)") }
            return OperationsRoutes.jsonResponse(.ok, try row.decode(String.self, at: 0))
        }
        router.post("/payments") { request, context in
            guard let payment = try? await request.decode(as: PaymentReceivedV1.self, context: context) else {
                return error(.badRequest, "the body must be JSON with paymentId, customerTaxId, amountCents and, optionally, invoiceNumber")
            }
            return try await OperationsRoutes.refusing {
                let actor = AuditTrail.Actor.current
                let outcome = try await database.transaction { connection in
                    let outcome = try Receivables.pay(payment, on: connection)
                    try AuditTrail.record(
                        "payment.recorded", target: "customer \(payment.customerTaxId)", details: "\(payment.paymentId): \(payment.amountCents) cents",
                        by: actor, on: connection)
                    return outcome
                }
                return OperationsRoutes.jsonResponse(
                    outcome.recorded ? .created : .ok, String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self))
            }
        }
        router.post("/receivables/:id/write-off") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let body = try? await request.decode(as: WriteOffBody.self, context: context), !body.reason.isEmpty, body.reason.count <= 500
            else { return error(.badRequest, "the body must be JSON with a reason of 1–500 characters") }
            return try await OperationsRoutes.refusing {
                let actor = AuditTrail.Actor.current
                try await database.transaction { connection in
                    try Receivables.writeOff(id, reason: body.reason, on: connection)
                    try AuditTrail.record("receivable.written_off", target: "receivable \(id)", details: body.reason, by: actor, on: connection)
                }
                return try await OperationsRoutes.queryJSON(database, "SELECT \(receivableJSON)::text FROM receivables r WHERE r.id = $1", [id])
            }
        }
        router.get("/aging") { request, _ in
            let by = request.uri.queryParameters.get("by") ?? "customer"
            guard let column = ["customer": "customer_tax_id", "store": "store_id"][by] else {
                return error(.badRequest, "by is customer or store")
            }
            let overdue = "(\(CollectionsClock.todaySQL) - due_date)"
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT row_to_json(a)::text, a.key FROM (
                    SELECT \(column) AS key,
                        \(Aging.columns(outstanding: "amount_cents - paid_cents", days: overdue)),
                        coalesce(sum(amount_cents - paid_cents), 0) AS total
                    FROM receivables WHERE status = 'open' AND \(column) > $1 GROUP BY \(column)) a
                ORDER BY a.key LIMIT $2
                """, [page.afterText, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/dunning") { request, _ in
            let query = request.uri.queryParameters
            let receivable = try query.get("receivable").map { text throws(HTTPError) in
                guard let id = Int64(text) else { throw HTTPError(.badRequest, message: "receivable is a receivable's id (a number)") }
                return id
            }
            let page = try PageRequest.read(request, keys: 3)
            let rows = try await database.query(
                """
                SELECT json_build_object('receivableId', n.receivable_id, 'invoiceNumber', r.invoice_number,
                    'customerTaxId', r.customer_tax_id, 'level', n.level, 'name', n.name, 'raisedOn', n.raised_on, 'message', n.message)::text,
                    n.raised_on::text, n.receivable_id::text, n.level::text
                FROM dunning_notices n JOIN receivables r ON r.id = n.receivable_id
                WHERE ($1::text IS NULL OR r.customer_tax_id = $1) AND ($2::bigint IS NULL OR r.id = $2)
                    AND ($3::date IS NULL OR (n.raised_on, n.receivable_id, n.level) > ($3::date, $4::bigint, $5::int))
                ORDER BY n.raised_on, n.receivable_id, n.level LIMIT $6
                """, [query.get("customer"), receivable, page.after?[0], page.after?[1], page.after?[2], page.limit + 1])
            return try page.response(rows, keys: 3)
        }
        router.get("/dunning-levels") { _, _ in
            let levels = try await database.withConnection { try Dunning.levels(on: $0) }
            return OperationsRoutes.jsonResponse(.ok, String(decoding: try JSONEncoder().encode(levels), as: UTF8.self))
        }
        router.put("/dunning-levels") { request, context in
            guard let body = try? await request.decode(as: [Dunning.Level].self, context: context) else {
                return error(.badRequest, Dunning.levelsRule)
            }
            return try await OperationsRoutes.refusing {
                let actor = AuditTrail.Actor.current
                try await database.transaction { connection in
                    try Dunning.replaceLevels(body, on: connection)  // checked there, refused with the rule
                    try AuditTrail.record("dunning_levels.replaced", target: "dunning levels", details: "\(body.count) levels", by: actor, on: connection)
                }
                let saved = try await database.withConnection { try Dunning.levels(on: $0) }
                return OperationsRoutes.jsonResponse(.ok, String(decoding: try JSONEncoder().encode(saved), as: UTF8.self))
            }
        }
        router.post("/customers/:taxId/notes") { request, context in
            let taxId = try context.parameters.require("taxId")
            guard let note = try? await request.decode(as: NoteBody.self, context: context), (1...100).contains(note.author.count),
                (1...4000).contains(note.text.count)
            else { return error(.badRequest, "the body must be JSON with author (1–100 characters) and text (1–4000)") }
            let rows = try await database.query(
                """
                INSERT INTO notes (customer_tax_id, author, text) SELECT tax_id, $2, $3 FROM customers WHERE tax_id = $1
                RETURNING json_build_object('id', id, 'author', author, 'text', text, 'at', at)::text
                """, [taxId, note.author, note.text])
            guard let row = rows.first else { return error(.notFound, "no customer \(taxId)") }
            return OperationsRoutes.jsonResponse(.created, try row.decode(String.self, at: 0))
        }
        router.get("/customers/:taxId/notes") { request, context in
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT json_build_object('id', id, 'author', author, 'text', text, 'at', at)::text, id::text
                FROM notes WHERE customer_tax_id = $1 AND id > $2 ORDER BY id LIMIT $3
                """, [try context.parameters.require("taxId"), Int64(page.afterText) ?? 0, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/clock") { _, _ in
            let today = try await database.withConnection { try CollectionsClock.today(on: $0) }
            return OperationsRoutes.jsonResponse(.ok, #"{"today":"\#(today)","settable":\#(settings.settableClock)}"#)
        }
        router.put("/clock") { request, context in
            guard settings.settableClock else {
                return OperationsRoutes.errorResponse(.conflict, "the clock can be set only with TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK=1", code: "clock_not_settable")
            }
            guard let body = try? await request.decode(as: ClockBody.self, context: context),
                body.today.map({ $0.count == 10 && $0.split(separator: "-").count == 3 }) ?? true
            else { return error(.badRequest, #"the body must be JSON with today (yyyy-mm-dd, or null for the real date)"#) }
            do {
                let actor = AuditTrail.Actor.current
                try await database.transaction { connection in
                    try CollectionsClock.set(body.today, on: connection)
                    try AuditTrail.record("clock.moved", target: "clock", details: body.today ?? "the real date", by: actor, on: connection)
                }
            } catch {
                return Self.error(.badRequest, "today must be a date written yyyy-mm-dd")
            }
            let today = try await database.withConnection { try CollectionsClock.today(on: $0) }
            return OperationsRoutes.jsonResponse(.ok, #"{"today":"\#(today)","settable":true}"#)
        }
    }

    static let receivableJSON = """
        json_build_object('id', r.id, 'invoiceNumber', r.invoice_number, 'customerTaxId', r.customer_tax_id, 'storeId', r.store_id,
            'issueDate', r.issue_date, 'dueDate', r.due_date, 'amountCents', r.amount_cents, 'paidCents', r.paid_cents,
            'outstandingCents', CASE WHEN r.status = 'cancelled' THEN 0 ELSE r.amount_cents - r.paid_cents END, 'status', r.status, 'writtenOffReason', r.written_off_reason)
        """

    private static func customerResponse(_ taxId: String, database: Database) async throws -> Response {
        let rows = try await database.query(
            """
            SELECT json_build_object('taxId', tax_id, 'name', name, 'paymentTermsDays', payment_terms_days, 'creditCents', credit_cents)::text
            FROM customers WHERE tax_id = $1
            """, [taxId])
        guard let row = rows.first else { return error(.notFound, "no customer \(taxId)") }
        return OperationsRoutes.jsonResponse(.ok, try row.decode(String.self, at: 0))
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        OperationsRoutes.errorResponse(status, message)
    }
}
