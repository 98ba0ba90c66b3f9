import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Intake's HTTP API: one sale by id, and statistics.
enum SalesRoutes {
    static func add(to router: Router<BasicRequestContext>, database: Database, statistics: IntakeStatistics) {
        router.get("/sales/:saleId") { _, context in
            let id = try context.parameters.require("saleId")
            guard UUID(uuidString: id) != nil else {
                return OperationsRoutes.jsonResponse(.badRequest, #"{"error":"saleId must be a UUID"}"#)
            }
            guard let sale = try await SalesStore.sale(id: id, database: database) else {
                return OperationsRoutes.jsonResponse(.notFound, #"{"error":"no sale recorded with that id"}"#)
            }
            return OperationsRoutes.jsonResponse(.ok, sale)
        }
        router.get("/stats") { _, _ in
            let totals = try await SalesStore.totals(database: database)
            let sinceStart = String(decoding: try JSONEncoder().encode(statistics.snapshot), as: UTF8.self)
            return OperationsRoutes.jsonResponse(.ok, #"{"recorded":\#(totals),"sinceStart":\#(sinceStart)}"#)
        }
    }
}
