import AMQPClient
import Foundation
import PostgresClient
import ServiceRuntime
import Testing
import TrastiendaTesting

@Suite("A service started with the standard runtime")
struct ServiceLifecycleTests {
    @Test("migrates its schema, declares its topology, reports ready, and serves Prometheus metrics")
    func startsAndReportsReady() async throws {
        let schema = TestInfrastructure.uniqueName("service")
        let definition = ServiceDefinition(
            name: "test-service", defaultHTTPPort: 0, schema: schema,
            migrations: [Migration(1, "things", "CREATE TABLE things (id bigint PRIMARY KEY)")],
            topology: Topology(exchanges: [.init("test.events")])
                .merging(.consumingQueue("test-service.things", bindings: [("test.events", "#")])))
        try await RunningService.with(definition) { service in
            let ready = try await service.request("GET", "/health/ready")
            #expect(ready.status == 200)
            #expect(ready.body.contains(#""migrations":true"#))
            #expect(try await service.request("GET", "/health/live").status == 200)
            let metrics = try await service.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.contains("# TYPE trastienda_service_info gauge"))
            #expect(metrics.body.contains(#"trastienda_service_ready{service="test-service"} 1"#))
            #expect(try await service.request("GET", "/no/such/route").status == 404)

            // The schema is migrated and the queue with its dead-letter queue exists.
            let database = Database(.init(url: service.databaseURL, searchPath: schema), logger: TestInfrastructure.logger)
            defer { database.close() }
            #expect(try await database.query("SELECT count(*) FROM things")[0].decode(Int.self, at: 0) == 0)
            #expect(
                try await TestInfrastructure.messageCount(queue: "test-service.things.dead-letter", virtualHost: service.amqp.virtualHost) == 0)
        }
    }
}
