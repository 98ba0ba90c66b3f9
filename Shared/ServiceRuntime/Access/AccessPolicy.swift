import Hummingbird

/// Which roles may call an operation, and where its store is, so that a store-scoped token is held to its stores.
public struct Operation: Sendable, Equatable {
    /// Where the store an operation acts on is named.
    public enum Store: Sendable, Equatable {
        /// The operation is not about one store's data.
        case none
        /// A path parameter holds the store id.
        case path(String)
        /// A path parameter holds an invoice series code, `<store>-<year>[-<generation>]`.
        case series(String)
        /// A query parameter names the store; a store-scoped token must give it, and one of its own.
        case query(String)
        /// The operation names a record by the path parameter `parameter`, and `query` (SQL, `$1` the parameter)
        /// gives that record's stores, one a row: a store-scoped token must act for one of them.
        case record(parameter: String, query: String)
        /// The handler checks the store against ``Caller`` (it is in the request's body).
        case handler
    }

    public var method: HTTPRequest.Method
    /// As Hummingbird names a matched route (and OpenAPI writes a path): `/invoices/{series}/{number}`.
    public var path: String
    public var roles: Set<Role>
    public var store: Store

    public init(_ method: HTTPRequest.Method, _ path: String, _ roles: Set<Role>, store: Store = .none) {
        self.method = method
        self.path = path
        self.roles = roles
        self.store = store
    }

    /// The key the middleware finds it by: method and route path.
    var key: String { "\(method.rawValue) \(path)" }
}

/// A service's operations and who may call them. Every route a service serves is in it (a test checks), and a
/// request to a route that is not is refused.
public struct AccessPolicy: Sendable {
    public var operations: [Operation]
    let byKey: [String: Operation]

    public init(_ operations: [Operation]) {
        self.operations = operations + Self.common
        byKey = Dictionary(self.operations.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func operation(method: HTTPRequest.Method, path: String) -> Operation? { byKey["\(method.rawValue) \(path)"] }

    /// What every service serves: its metrics and its audit trail.
    static let common = [Operation(.get, "/metrics", [.admin, .auditor, .metrics]), Operation(.get, "/audit", [.admin, .auditor])]

    /// Role sets the services' policies share.
    public static let everyone: Set<Role> = [.admin, .accountant, .storeManager, .hr, .auditor]
    public static let readers: Set<Role> = [.admin, .accountant, .auditor]
}
