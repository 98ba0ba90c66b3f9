import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Intake's HTTP API: one sale by id, statistics since start (from memory, cheap enough to poll), and totals over
/// everything recorded (a scan of the table: for people, not for dashboards polling every second).
enum SalesRoutes {
    static func add(to router: Router<BasicRequestContext>, database: Database, statistics: IntakeStatistics) {
        router.get("/sales/:saleId") { _, context in
            let id = try context.parameters.require("saleId")
            guard UUID(uuidString: id) != nil else {
                return OperationsRoutes.errorResponse(.badRequest, "saleId must be a UUID")
            }
            guard let sale = try await SalesStore.sale(id: id, database: database) else {
                return OperationsRoutes.errorResponse(.notFound, "no sale recorded with that id")
            }
            return OperationsRoutes.jsonResponse(.ok, sale)
        }
        router.get("/stats") { _, _ in
            let sinceStart = String(decoding: try JSONEncoder().encode(statistics.snapshot), as: UTF8.self)
            return OperationsRoutes.jsonResponse(.ok, #"{"sinceStart":\#(sinceStart)}"#)
        }
        router.get("/stats/totals") { _, _ in
            OperationsRoutes.jsonResponse(.ok, try await SalesStore.totals(database: database))
        }
        // One day's sales per store, hour by hour (a store manager's stores only).
        router.get("/stats/day") { request, _ in
            let day = request.uri.queryParameters.get("day") ?? ""
            guard OperationsRoutes.isDate(day) else { return OperationsRoutes.errorResponse(.badRequest, "day is a date: yyyy-mm-dd") }
            let zone = request.uri.queryParameters.get("timeZone") ?? "Europe/Madrid"
            guard zone.count <= 64, zone.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }) else {
                return OperationsRoutes.errorResponse(.badRequest, "timeZone is a time zone name such as Europe/Madrid")
            }
            return try await OperationsRoutes.queryJSON(
                database,
                """
                WITH day AS (
                    SELECT store_id, extract(hour FROM occurred_at AT TIME ZONE $2)::int AS hour, count(*) AS sales, sum(total) AS cents
                    FROM sales
                    WHERE (occurred_at AT TIME ZONE $2)::date = $1::date AND ($3::text[] IS NULL OR store_id = ANY($3::text[]))
                    GROUP BY 1, 2)
                SELECT json_build_object('day', $1::text, 'stores', coalesce(json_agg(s ORDER BY s."storeId"), '[]'))::text FROM (
                    SELECT store_id AS "storeId", sum(sales)::bigint AS sales, sum(cents)::bigint AS "totalCents",
                        json_agg(json_build_object('hour', hour, 'sales', sales, 'totalCents', cents) ORDER BY hour) AS hours
                    FROM day GROUP BY store_id) s
                """, [day, zone, Caller.stores.map(PostgresArrays.text)])
        }
    }
}
