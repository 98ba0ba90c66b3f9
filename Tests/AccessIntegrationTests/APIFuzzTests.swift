import Foundation
import ServiceRuntime
import Testing
import TrastiendaTesting

@testable import billing
@testable import collections
@testable import hr
@testable import orders
@testable import sales_intake

/// schemathesis against each service, running on a vhost and database of its own, with its own OpenAPI document and
/// an admin's token: what it generates from the document (valid and invalid requests alike) must never get a 5xx,
/// and every answer must be one the document describes. Its report is kept in `.build/schemathesis/<service>.txt`.
@Suite("The APIs under schemathesis", .serialized)
struct APIFuzzTests {
    @Test("no 5xx and no answer the document does not describe", arguments: AccessControlTests.services.map(\.0.name))
    func schemathesis(service name: String) async throws {
        let definition = AccessControlTests.services.first { $0.0.name == name }!.0
        let reports = TestInfrastructure.repositoryRoot.appendingPathComponent(".build/schemathesis")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try await RunningService.with(definition, environment: ["TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK": "1"]) { service in
            // Something to find, so that not every generated request ends at a 404.
            for (method, path, body) in ListPagingTests.seeds[name] ?? [] { _ = try await service.request(method, path, body: body) }
            let token = try await TestTokens.admin()
            let result = try await ExternalTool.run(
                "schemathesis",
                [
                    "run", "http://localhost:\(service.port)/openapi.json", "--header", "Authorization: Bearer \(token)",
                    "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                    "--max-examples", "25", "--seed", "20261201", "--generation-deterministic", "--no-color", "--workers", "1",
                    "--request-timeout", "10", "--suppress-health-check", "all",
                ], missing: "schemathesis (pip install schemathesis; make test installs it)")
            try result.output.write(to: reports.appendingPathComponent("\(name).txt"), atomically: true, encoding: .utf8)
            let summary = result.output.split(separator: "\n").filter { $0.contains("passed") || $0.contains("failed") || $0.contains("cases") }
            #expect(result.status == 0, "\(name): schemathesis found failures (see .build/schemathesis/\(name).txt)\n\(summary.suffix(6).joined(separator: "\n"))")
        }
    }
}
