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
    }
}
