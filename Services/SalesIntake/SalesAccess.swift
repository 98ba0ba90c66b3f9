import Hummingbird
import ServiceRuntime

/// Who may call sales intake's routes: its figures and a recorded sale, read by those who deal with sales.
enum SalesAccess {
    static let policy = AccessPolicy([
        Operation(.get, "/stats", [.admin, .accountant, .auditor]),
        Operation(.get, "/stats/totals", [.admin, .accountant, .auditor]),
        Operation(.get, "/sales/{saleId}", [.admin, .accountant, .auditor, .storeManager], store: .record(parameter: "saleId", query: "SELECT store_id FROM sales WHERE sale_id::text = lower($1)")),
    ])
}
