import Hummingbird

/// The service's OpenAPI document, served, and the check that it describes exactly the routes the service serves.
package enum OpenAPIRoutes {
    static func add(to router: Router<BasicRequestContext>, document: DocumentValue) {
        let json = document.json
        let yaml = document.yaml
        router.get("/openapi.json") { _, _ in OperationsRoutes.jsonResponse(.ok, json) }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
    }

    /// Throws, naming them, when the router serves a route the policy (and so the document) lacks, or the policy
    /// names one the router does not serve: the service does not start on a document that is not true.
    package static func check(_ router: Router<BasicRequestContext>, against policy: AccessPolicy) throws {
        let (undocumented, unserved) = policy.mismatches(routes: router.routes.map { ($0.method, $0.path.description) })
        guard undocumented.isEmpty, unserved.isEmpty else {
            throw DocumentMismatch(
                description: "the OpenAPI document does not match the routes: served but not documented [\(undocumented.joined(separator: "; "))], "
                    + "documented but not served [\(unserved.joined(separator: "; "))]")
        }
    }
}

package struct DocumentMismatch: Error, CustomStringConvertible {
    package var description: String
}
