import AMQPClient
import Foundation
import PostgresClient
import ServiceRuntime
import Testing
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("A service started with the standard runtime")
struct ServiceLifecycleTests {
    @Test("migrates its schema, declares its topology, reports ready, and serves Prometheus metrics")
    func startsAndReportsReady() async throws {
        let amqp = try await TestInfrastructure.makeVirtualHost("service")
        let schema = TestInfrastructure.uniqueName("service")
        let port = TestInfrastructure.freePort()
        let definition = ServiceDefinition(
            name: "test-service", defaultHTTPPort: port, schema: schema,
            migrations: [Migration(1, "things", "CREATE TABLE things (id bigint PRIMARY KEY)")],
            topology: Topology(exchanges: [.init("test.events")])
                .merging(.consumingQueue("test-service.things", bindings: [("test.events", "#")])))
        let configuration = try ServiceConfiguration.load(
            service: "test-service", defaultHTTPPort: port,
            environment: [
                "TRASTIENDA_AMQP_URL": TestInfrastructure.amqpURL + amqp.virtualHost,
                "TRASTIENDA_DATABASE_URL": TestInfrastructure.databaseURL, "TRASTIENDA_LOG_LEVEL": "warning",
            ])
        let service = Task { try await TrastiendaService.run(definition, configuration: configuration) }
        defer { service.cancel() }

        let base = "http://localhost:\(port)"
        #expect(await eventually(timeout: .seconds(30)) { (try? await get(base + "/health/ready"))?.status == 200 })
        let ready = try await get(base + "/health/ready")
        #expect(ready.body.contains(#""migrations":true"#))
        #expect(try await get(base + "/health/live").status == 200)
        let metrics = try await get(base + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.body.contains("# TYPE trastienda_service_info gauge"))
        #expect(metrics.body.contains(#"trastienda_service_ready{service="test-service"} 1"#))

        // The schema is migrated and the queue with its dead-letter queue exists.
        let database = Database(.init(url: TestInfrastructure.databaseURL, searchPath: schema), logger: TestInfrastructure.logger)
        #expect(try await database.query("SELECT count(*) FROM things")[0].decode(Int.self, at: 0) == 0)
        #expect(try await TestInfrastructure.messageCount(queue: "test-service.things.dead-letter", virtualHost: amqp.virtualHost) == 0)

        service.cancel()
        _ = await service.result
        await TestInfrastructure.dropSchema(schema, on: database)
        await TestInfrastructure.deleteVirtualHost(amqp)
    }

    struct Answer {
        let status: Int
        let body: String
        let contentType: String?
    }

    func get(_ url: String) async throws -> Answer {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        let http = response as? HTTPURLResponse
        return Answer(
            status: http?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self),
            contentType: http?.value(forHTTPHeaderField: "Content-Type"))
    }
}
