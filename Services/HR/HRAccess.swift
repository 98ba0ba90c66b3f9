import Hummingbird
import ServiceRuntime

/// Who may call hr's routes: employees and announcements are hr's (and admin's); a store manager reads its own
/// staff (an employee of one of its stores) and the auditor reads everything.
enum HRAccess {
    static let employee = Operation.Store.record(parameter: "id", query: "SELECT unnest(stores) FROM employees WHERE id = $1")

    static let policy = AccessPolicy([
        Operation(.get, "/announcements", [.admin, .hr, .auditor, .storeManager]),
        Operation(.post, "/announcements", [.admin, .hr]),
        Operation(.get, "/employees", [.admin, .hr, .auditor, .storeManager], store: .query("store")),
        Operation(.get, "/employees/{id}", [.admin, .hr, .auditor, .storeManager], store: employee),
        Operation(.put, "/employees/{id}", [.admin, .hr]),
        Operation(.get, "/employees/{id}/sales", [.admin, .hr, .auditor, .storeManager], store: employee),
        Operation(.get, "/employees/{id}/timesheet", [.admin, .hr, .auditor, .storeManager], store: employee),
        Operation(.get, "/shifts/flagged", [.admin, .hr, .auditor]),
    ])
}
