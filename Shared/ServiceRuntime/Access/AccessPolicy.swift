import Hummingbird

/// Which roles may call an operation, and where its store is, so that a store-scoped token is held to its stores.
package struct Operation: Sendable, Equatable {
    /// Where the store an operation acts on is named.
    package enum Store: Sendable, Equatable {
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

    package var method: HTTPRequest.Method
    /// As Hummingbird names a matched route (and OpenAPI writes a path): `/invoices/{series}/{number}`.
    package var path: String
    package var roles: Set<Role>
    package var store: Store
    /// What it takes and answers, for the service's OpenAPI document.
    package var documentation: OperationDocumentation

    package init(_ method: HTTPRequest.Method, _ path: String, _ roles: Set<Role>, store: Store = .none, _ documentation: OperationDocumentation) {
        self.method = method
        self.path = path
        self.roles = roles
        self.store = store
        self.documentation = documentation
    }

    package static func == (left: Operation, right: Operation) -> Bool { left.key == right.key && left.roles == right.roles && left.store == right.store }

    /// The key the middleware finds it by: method and route path.
    var key: String { "\(method.rawValue) \(path)" }
}

/// A service's operations, who may call them and what they take and answer (its OpenAPI document is made from it).
/// Every route a service serves is in it and the other way round (the service does not start otherwise), and a
/// request to a route that is not is refused.
package struct AccessPolicy: Sendable {
    package var operations: [Operation]
    /// The named schemas the operations refer to (`.reference("Invoice")`).
    package var schemas: [String: Schema]
    let byKey: [String: Operation]

    package init(_ operations: [Operation], schemas: [String: Schema] = [:]) {
        self.operations = operations + Self.common
        self.schemas = schemas.merging(Self.commonSchemas) { own, _ in own }
        byKey = Dictionary(self.operations.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func operation(method: HTTPRequest.Method, path: String) -> Operation? { byKey["\(method.rawValue) \(path)"] }

    /// The routes a service serves that the policy lacks, and the policy's operations it does not serve.
    package func mismatches(routes: [(method: HTTPRequest.Method, path: String)]) -> (undocumented: [String], unserved: [String]) {
        let served = Set(routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(operations.map(\.key))
        return (served.subtracting(documented).sorted(), documented.subtracting(served).sorted())
    }

    /// What every service serves: its health, metrics, audit trail and OpenAPI document.
    static let common = [
        Operation(.get, "/health/live", [], .init("whether the process is up (no token needed)", answer: .json(200, .record(["status": .oneOf(["live"])])))),
        Operation(.get, "/health/ready", [], .init(
            "whether it can serve: database, broker and migrations (503 when not; no token needed)",
            answer: .json(200, .record(["status": .oneOf(["ready", "not ready"]), "checks": .map(.boolean)])))),
        Operation(.get, "/metrics", [.admin, .auditor, .metrics], .init("Prometheus metrics", answer: .media(200, "text/plain"))),
        Operation(.get, "/audit", [.admin, .auditor], .init(
            "the audit trail of privileged actions, newest first", query: OperationDocumentation.Query.paging,
            answer: .json(200, .page(.reference("AuditEntry"))))),
        Operation(.get, "/openapi.json", everyone.union([.metrics]), .init("this document, as JSON", answer: .json(200, .anything))),
        Operation(.get, "/openapi.yaml", everyone.union([.metrics]), .init("this document, as YAML", answer: .media(200, "application/yaml"))),
    ]

    static let commonSchemas: [String: Schema] = [
        "AuditEntry": .record([
            "id": .integer, "at": .dateTime, "subject": .described(.string, "the token's subject"),
            "action": .string, "target": .string, "details": .anything, "traceId": .nullable(.string),
        ]),
    ]

    /// Role sets the services' policies share.
    package static let everyone: Set<Role> = [.admin, .accountant, .storeManager, .hr, .auditor]
    package static let readers: Set<Role> = [.admin, .accountant, .auditor]
}
