import HTTPTypes

/// A service's OpenAPI 3.1 document, made from its access policy: each operation with who may call it
/// (`x-trastienda-roles`), where its store is (`x-trastienda-store`), its parameters, body and answers. Served at
/// `/openapi.json` and `/openapi.yaml`; `docs/openapi/<service>.yaml` is the same text, committed (a test compares).
package enum OpenAPIDocument {
    package static func make(service: String, policy: AccessPolicy) -> DocumentValue {
        var paths: [(String, DocumentValue)] = []
        for path in orderedPaths(policy.operations) {
            let operations = policy.operations.filter { $0.path == path }.sorted { $0.method.rawValue < $1.method.rawValue }
            paths.append((path, .object(operations.map { ($0.method.rawValue.lowercased(), entry($0)) })))
        }
        var schemas = policy.schemas
        schemas["Error"] = .record([
            "error": .record([
                "code": .described(.string, "what went wrong, for programs: bad_request, unauthenticated, forbidden, not_found, conflict…"),
                "message": .described(.string, "what went wrong, for people"),
            ]),
        ])
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([("title", .string("Trastienda \(service)")), ("version", .string("1"))])),
            ("security", .array([.object([("bearer", .array([]))])])),
            ("paths", .object(paths)),
            ("components", .object([
                ("securitySchemes", .object([("bearer", .object([("type", .string("http")), ("scheme", .string("bearer")), ("bearerFormat", .string("JWT"))]))])),
                ("responses", .object([("Refused", .object([
                    ("description", .string("refused: the error's code and message say why")),
                    ("content", .object([("application/json", .object([("schema", Schema.reference("Error").document)]))])),
                ]))])),
                ("schemas", .object(schemas.keys.sorted().map { ($0, schemas[$0]!.document) })),
            ])),
        ])
    }

    /// Paths in the order the policy first names them.
    private static func orderedPaths(_ operations: [Operation]) -> [String] {
        var seen = Set<String>()
        return operations.map(\.path).filter { seen.insert($0).inserted }
    }

    private static func entry(_ operation: Operation) -> DocumentValue {
        let documentation = operation.documentation
        var members: [(String, DocumentValue)] = [
            ("operationId", .string(operationId(operation))),
            ("summary", .string(documentation.summary)),
        ]
        if operation.roles.isEmpty {
            members.append(("security", .array([])))
        } else {
            members.append(("x-trastienda-roles", .array(operation.roles.map(\.rawValue).sorted().map { .string($0) })))
        }
        if let store = storeDescription(operation.store) { members.append(("x-trastienda-store", .string(store))) }
        var parameters: [DocumentValue] = pathParameters(operation.path).map { name in
            .object([
                ("name", .string(name)), ("in", .string("path")), ("required", .boolean(true)),
                ("schema", (documentation.pathSchemas[name] ?? pathSchemas[name] ?? .string).document),
            ])
        }
        for query in documentation.query {
            parameters.append(.object([
                ("name", .string(query.name)), ("in", .string("query")), ("required", .boolean(query.required)),
                ("description", .string(query.description)), ("schema", query.schema.document),
            ]))
        }
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }
        if let body = documentation.body {
            members.append(("requestBody", .object([
                ("required", .boolean(true)),
                ("content", .object([(documentation.bodyMedia, .object([("schema", body.document)]))])),
            ])))
        }
        func json(_ schema: Schema, _ description: String = "done") -> DocumentValue {
            .object([("description", .string(description)), ("content", .object([("application/json", .object([("schema", schema.document)]))]))])
        }
        var responses: [(String, DocumentValue)]
        switch documentation.answer {
        case .json(let status, let schema): responses = [(String(status), json(schema))]
        case .createdOrFound(let schema): responses = [("200", json(schema, "there already")), ("201", json(schema, "made"))]
        case .media(let status, let type):
            responses = [(String(status), .object([
                ("description", .string("done")),
                ("content", .object([(type, .object([("schema", Schema.anything.document)]))])),
            ]))]
        }
        let error = DocumentValue.object([("$ref", .string("#/components/responses/Refused"))])
        if !operation.roles.isEmpty { responses += [("401", error), ("403", error)] }
        responses.append(("default", error))
        members.append(("responses", .object(responses)))
        return .object(members)
    }

    /// `get_invoices_series_number_record.xml` → `getInvoicesSeriesNumberRecordXml`.
    static func operationId(_ operation: Operation) -> String {
        let words = operation.path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        return operation.method.rawValue.lowercased() + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// What the path parameters of these names are, unless an operation says otherwise.
    static let pathSchemas: [String: Schema] = ["store": .identifier, "sku": .identifier, "series": .identifier, "taxId": .taxId]

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    private static func storeDescription(_ store: Operation.Store) -> String? {
        switch store {
        case .none: nil
        case .path(let name): "path parameter \(name)"
        case .series(let name): "the store of the series in path parameter \(name)"
        case .query(let name): "query parameter \(name), required of a store-scoped token"
        case .record(let parameter, _): "the stores of the record named by path parameter \(parameter)"
        case .handler: "the request body's store"
        }
    }
}
