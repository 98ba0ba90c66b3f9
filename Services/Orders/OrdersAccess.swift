import Hummingbird
import ServiceRuntime

/// Who may call orders' routes: stock, orders, reorder rules and replenishments are the store manager's, for its
/// stores, and admin's; the accountant and the auditor read them.
enum OrdersAccess {
    static let stores: Set<Role> = [.admin, .storeManager]
    static let readers: Set<Role> = [.admin, .storeManager, .accountant, .auditor]

    static let order = Operation.Store.record(parameter: "id", query: "SELECT store_id FROM orders WHERE id = $1")
    static let replenishment = Operation.Store.record(parameter: "id", query: "SELECT store_id FROM replenishments WHERE id::text = $1")

    static let policy = AccessPolicy([
        Operation(.get, "/stats", AccessPolicy.readers),
        Operation(.get, "/stock", readers, store: .query("store")),
        Operation(.get, "/stock/{store}/{sku}", readers, store: .path("store")),
        Operation(.get, "/stock/{store}/{sku}/movements", readers, store: .path("store")),
        Operation(.post, "/stock/{store}/{sku}/adjustments", stores, store: .path("store")),
        Operation(.get, "/orders", readers, store: .query("store")),
        Operation(.post, "/orders", stores, store: .handler),
        Operation(.get, "/orders/{id}", readers, store: order),
        Operation(.post, "/orders/{id}/transitions", stores, store: order),
        Operation(.post, "/orders/{id}/incidents", stores, store: order),
        Operation(.get, "/reorder-rules", readers, store: .query("store")),
        Operation(.put, "/reorder-rules/{store}/{sku}", stores, store: .path("store")),
        Operation(.post, "/reorder-rules/import", [.admin]),
        Operation(.get, "/replenishments", readers, store: .query("store")),
        Operation(.post, "/replenishments/{id}/receive", stores, store: replenishment),
    ])
}
