import Foundation
import Hummingbird
import ServiceRuntime
import Testing
import TrastiendaTesting

@testable import billing
@testable import collections
@testable import hr
@testable import orders
@testable import sales_intake

/// Each service's OpenAPI document is made from its access policy, and a service does not start when its routes and
/// its policy differ: these check that the committed documents are the ones the services serve, and that the check
/// bites.
@Suite("OpenAPI documents")
struct OpenAPIConformanceTests {
    static let documents = TestInfrastructure.repositoryRoot.appendingPathComponent("docs/openapi")

    @Test("docs/openapi/<service>.yaml is what each service serves at /openapi.yaml, and /openapi.json the same document")
    func committedDocumentsAreServed() async throws {
        let stale = TestInfrastructure.repositoryRoot.appendingPathComponent(".build/openapi")
        for (definition, policy) in AccessControlTests.services {
            let made = OpenAPIDocument.make(service: definition.name, policy: policy)
            let committed = try? String(contentsOf: Self.documents.appendingPathComponent("\(definition.name).yaml"), encoding: .utf8)
            if committed != made.yaml {
                try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
                try made.yaml.write(to: stale.appendingPathComponent("\(definition.name).yaml"), atomically: true, encoding: .utf8)
            }
            let same = committed == made.yaml
            #expect(same, "docs/openapi/\(definition.name).yaml is not the service's document: cp .build/openapi/*.yaml docs/openapi/")
            try await RunningService.with(definition) { service in
                let yaml = try await service.request("GET", "/openapi.yaml")
                let served = yaml.status == 200 && yaml.body == made.yaml
                #expect(served, "\(definition.name) serves its document at /openapi.yaml")
                let json = try await service.request("GET", "/openapi.json")
                let parsed = try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any]
                let paths = parsed?["paths"] as? [String: [String: Any]] ?? [:]
                let operations = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
                #expect(operations == Set(policy.operations.map { "\($0.method.rawValue) \($0.path)" }), "\(definition.name)")
                #expect(try await service.request("GET", "/openapi.json", token: "").status == 401, "the document needs a token too")
                for operation in policy.operations {
                    let entry = paths[operation.path]?[operation.method.rawValue.lowercased()] as? [String: Any]
                    let roles = entry?["x-trastienda-roles"] as? [String] ?? []
                    #expect(Set(roles) == Set(operation.roles.map(\.rawValue)), "\(definition.name) \(operation.method.rawValue) \(operation.path): x-trastienda-roles")
                }
            }
        }
    }

    @Test("a route the policy lacks, or an operation no route serves, stops the service from starting")
    func mismatchIsCaught() throws {
        let router = Router()
        router.get("/things/:id") { _, _ in "" }
        router.get("/undocumented") { _, _ in "" }
        let policy = AccessPolicy([
            Operation(.get, "/things/{id}", [.admin], .init("a thing", answer: .json(200, .anything))),
            Operation(.post, "/things", [.admin], .init("makes a thing", answer: .json(201, .anything))),
        ])
        let (undocumented, unserved) = policy.mismatches(routes: router.routes.map { ($0.method, $0.path.description) })
        #expect(undocumented == ["GET /undocumented"])
        #expect(unserved.contains("POST /things") && unserved.contains("GET /metrics"))
        #expect(throws: DocumentMismatch.self) { try OpenAPIRoutes.check(router, against: policy) }
    }

    @Test("the YAML is the JSON: PyYAML reads each document into what JSON's parser reads")
    func yamlReadsAsJSON() async throws {
        for (definition, policy) in AccessControlTests.services {
            let made = OpenAPIDocument.make(service: definition.name, policy: policy)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try made.yaml.write(to: directory.appendingPathComponent("d.yaml"), atomically: true, encoding: .utf8)
            try made.json.write(to: directory.appendingPathComponent("d.json"), atomically: true, encoding: .utf8)
            let result = try await ExternalTool.run(
                "python3",
                ["-c", "import json,sys,yaml; d=sys.argv[1]; sys.exit(0 if yaml.safe_load(open(d+'/d.yaml')) == json.load(open(d+'/d.json')) else 3)",
                 directory.path], missing: "python3 with PyYAML (make test installs it)")
            #expect(result.status == 0, "\(definition.name): \(result.output)")
        }
    }
}
