import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// HR's HTTP API: employees, one employee's timesheet and sales over a date range, announcements with their read
/// counts.
enum HRRoutes {
    static func add(to router: Router<BasicRequestContext>, database: Database, salesActivity: BatchActivity) {
        salesActivity.serveStats(as: "salesCredited", on: router)
        router.put("/employees/:id") { request, context in
            let id = try context.parameters.require("id")
            guard let employee = try? await request.decode(as: Staff.Employee.self, context: context) else {
                return error(.badRequest, "the body must be JSON with name, role, stores, startDate and, optionally, endDate and active")
            }
            return try await OperationsRoutes.refusing {
                try Staff.validate(employee, id: id)
                let actor = AuditTrail.Actor.current
                let created = try await database.transaction { connection in
                    let created = try Staff.save(employee, id: id, on: connection)
                    try AuditTrail.record(
                        created ? "employee.created" : "employee.changed", target: "employee \(id)",
                        details: "\(employee.role), stores \(employee.stores.joined(separator: ", "))", by: actor, on: connection)
                    return created
                }
                return OperationsRoutes.jsonResponse(created ? .created : .ok, try await employeeJSON(id, database: database) ?? "{}")
            }
        }
        router.get("/employees/:id") { _, context in try await employeeResponse(try context.parameters.require("id"), database: database) }
        router.get("/employees") { request, _ in
            let store = request.uri.queryParameters.get("store")
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT \(employeeObject)::text, e.id FROM employees e
                WHERE ($1::text IS NULL OR $1 = ANY(e.stores)) AND e.id > $2 ORDER BY e.id LIMIT $3
                """, [store, page.afterText, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/employees/:id/timesheet") { request, context in
            let id = try context.parameters.require("id")
            guard let (from, to) = range(request) else { return error(.badRequest, "give from and to as yyyy-mm-dd") }
            return try await OperationsRoutes.queryJSON(
                database,
                """
                WITH days AS (
                    SELECT s.day,
                        coalesce(sum(extract(epoch FROM s.closed_at - s.opened_at)::bigint) FILTER (
                            WHERE s.opened_at IS NOT NULL AND s.closed_at > s.opened_at), 0) AS seconds,
                        json_agg(json_build_object('shiftId', s.shift_id, 'storeId', s.store_id, 'terminalId', s.terminal_id,
                            'openedAt', s.opened_at, 'closedAt', s.closed_at, 'flags', s.flags) ORDER BY s.opened_at NULLS FIRST) AS shifts
                    FROM shifts s WHERE s.employee_id = $1 AND s.day BETWEEN $2::date AND $3::date GROUP BY s.day)
                SELECT json_build_object('employeeId', $1::text, 'from', $2::text, 'to', $3::text,
                    'totalSeconds', coalesce((SELECT sum(seconds) FROM days), 0),
                    'totalMinutes', coalesce((SELECT sum(seconds) FROM days), 0) / 60,
                    'days', coalesce((SELECT json_agg(json_build_object('day', day, 'seconds', seconds, 'minutes', seconds / 60, 'shifts', shifts)
                        ORDER BY day) FROM days), '[]'))::text
                """,
                [id, from, to])
        }
        router.get("/employees/:id/sales") { request, context in
            let id = try context.parameters.require("id")
            guard let (from, to) = range(request) else { return error(.badRequest, "give from and to as yyyy-mm-dd") }
            return try await OperationsRoutes.queryJSON(
                database,
                """
                SELECT json_build_object('employeeId', $1::text,
                    'days', coalesce(json_agg(json_build_object('day', day, 'sales', sales, 'returns', returns, 'amountCents', amount_cents)
                        ORDER BY day), '[]'),
                    'sales', coalesce(sum(sales), 0), 'returns', coalesce(sum(returns), 0), 'amountCents', coalesce(sum(amount_cents), 0))::text
                FROM employee_sales WHERE employee_id = $1 AND day BETWEEN $2::date AND $3::date
                """, [id, from, to])
        }
        router.get("/shifts/flagged") { request, _ in
            let page = try PageRequest.read(request, keys: 2)
            let rows = try await database.query(
                """
                SELECT json_build_object('shiftId', shift_id, 'employeeId', employee_id, 'storeId', store_id,
                    'openedAt', opened_at, 'closedAt', closed_at, 'flags', flags)::text, coalesce(day, '0001-01-01')::text, shift_id
                FROM shifts
                WHERE cardinality(flags) > 0 AND ($1::date IS NULL OR (coalesce(day, '0001-01-01'), shift_id) > ($1::date, $2::text))
                ORDER BY coalesce(day, '0001-01-01'), shift_id LIMIT $3
                """, [page.after?[0], page.after?[1], page.limit + 1])
            return try page.response(rows, keys: 2)
        }
        router.post("/announcements") { request, context in
            guard let post = try? await request.decode(as: Announcements.Post.self, context: context) else {
                return error(.badRequest, "the body must be JSON with title, body and, optionally, priority and stores or roles")
            }
            return try await OperationsRoutes.refusing {
                try Announcements.validate(post)
                let actor = AuditTrail.Actor.current
                let (id, stores) = try await database.transaction { connection in
                    let published = try Announcements.publish(post, on: connection)
                    try AuditTrail.record("announcement.published", target: "announcement \(published.0)", details: post.title, by: actor, on: connection)
                    return published
                }
                return OperationsRoutes.jsonResponse(
                    .created, #"{"announcementId":"\#(id)","stores":[\#(stores.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
            }
        }
        // A store manager sees the announcements that reached its stores.
        router.get("/announcements") { request, _ in
            let page = try PageRequest.read(request, keys: 2)
            let rows = try await database.query(
                """
                SELECT json_build_object('announcementId', a.id, 'title', a.title, 'priority', a.priority, 'stores', a.stores,
                    'roles', a.roles, 'publishedAt', a.published_at,
                    'reads', (SELECT count(*) FROM read_receipts r WHERE r.announcement_id = a.id))::text, a.published_at::text, a.id
                FROM announcements a
                WHERE ($1::text[] IS NULL OR a.stores && $1::text[])
                    AND ($2::timestamptz IS NULL OR (a.published_at, a.id) > ($2::timestamptz, $3::text))
                ORDER BY a.published_at, a.id LIMIT $4
                """, [Caller.stores.map(PostgresArrays.text), page.after?[0], page.after?[1], page.limit + 1])
            return try page.response(rows, keys: 2)
        }
    }

    static let employeeObject = """
        json_build_object('employeeId', e.id, 'name', e.name, 'role', e.role, 'stores', e.stores, 'startDate', e.start_date,
            'endDate', e.end_date, 'active', e.active)
        """

    private static func employeeJSON(_ id: String, database: Database) async throws -> String? {
        try await database.query("SELECT \(employeeObject)::text FROM employees e WHERE e.id = $1", [id]).first?.decode(String.self, at: 0)
    }

    private static func employeeResponse(_ id: String, database: Database) async throws -> Response {
        guard let json = try await employeeJSON(id, database: database) else { return error(.notFound, "no employee \(id)") }
        return OperationsRoutes.jsonResponse(.ok, json)
    }

    private static func range(_ request: Request) -> (String, String)? {
        guard let from = request.uri.queryParameters.get("from"), let to = request.uri.queryParameters.get("to"),
            OperationsRoutes.isDate(from), OperationsRoutes.isDate(to), from <= to
        else { return nil }
        return (from, to)
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        OperationsRoutes.errorResponse(status, message)
    }
}
