import Hummingbird

/// `GET /stats` of a service whose consumer counts what it handles with a ``BatchActivity``: `{"<name>": {"handled",
/// "batches", "firstDeliveryAtMilliseconds", "lastCommitAtMilliseconds"}}`, and the operation that documents it.
extension BatchActivity {
    package func serveStats(as name: String, on router: Router<BasicRequestContext>) {
        router.get("/stats") { _, _ in OperationsRoutes.jsonResponse(.ok, #"{"\#(name)":\#(self.json)}"#) }
    }

    /// The operation of ``serveStats(as:on:)`` for the service's access policy (admin, accountant, auditor).
    package static func statsOperation(as name: String, _ summary: String) -> Operation {
        Operation(.get, "/stats", AccessPolicy.readers, .init(summary, answer: .json(200, .record([name: .object([:], required: [])]))))
    }
}
