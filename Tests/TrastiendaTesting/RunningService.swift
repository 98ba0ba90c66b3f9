import AMQPClient
import Foundation
import ServiceRuntime
import Synchronization

/// A service running in this test's process against its own vhost and its own database.
package struct RunningService: Sendable {
    package let port: Int
    package let amqp: AMQPConfiguration
    package let databaseURL: String

    /// Starts `definition`, waits until `/health/ready` answers 200, runs `body`, then stops the service and removes
    /// its vhost and database.
    package static func with(
        _ definition: ServiceDefinition, environment: [String: String] = [:], _ body: (RunningService) async throws -> Void
    ) async throws {
        let amqp = try await TestInfrastructure.makeVirtualHost(definition.schema)
        let databaseURL = try await TestInfrastructure.makeDatabaseURL(definition.schema)
        let service = RunningService(port: TestInfrastructure.freePort(), amqp: amqp, databaseURL: databaseURL)
        var configuration = try ServiceConfiguration.load(
            service: definition.name, defaultHTTPPort: service.port, consumerDefaults: definition.consumerDefaults,
            environment: [
                "TRASTIENDA_AMQP_URL": TestInfrastructure.amqpURL + amqp.virtualHost, "TRASTIENDA_DATABASE_URL": databaseURL,
                "TRASTIENDA_LOG_LEVEL": "error", "TRASTIENDA_AUTH_PUBLIC_KEY": TestTokens.publicKey,
            ].merging(environment) { $1 })
        // Cancelled, a service in the test's process ends the whole test run if it takes longer than its limit: on two
        // loaded cores, give it longer than in production.
        configuration.cancellationLimit = .seconds(30)
        let ended = Mutex<String?>(nil)
        let task = Task { [configuration] in
            do {
                try await TrastiendaService.run(definition, configuration: configuration)
                ended.withLock { $0 = "stopped" }
            } catch {
                ended.withLock { $0 = "stopped by an error: \(error)" }
                throw error
            }
        }
        defer { task.cancel() }
        do {
            let readiness = await ReadinessWait.wait(port: service.port, timeout: .seconds(90)) { ended.withLock { $0 } != nil }
            if let reason = ended.withLock({ $0 }) {
                throw InfrastructureUnavailable(description: "\(definition.name) \(reason) before it became ready")
            }
            guard readiness.ready else {
                throw InfrastructureUnavailable(
                    description: "\(definition.name) did not become ready in 90 s; /health/ready last: \(readiness.lastAnswer)")
            }
            try await body(service)
        } catch {
            task.cancel()
            _ = await task.result
            await TestInfrastructure.deleteVirtualHost(amqp)
            await TestInfrastructure.dropDatabase(url: databaseURL)
            throw error
        }
        task.cancel()
        _ = await task.result
        await TestInfrastructure.deleteVirtualHost(amqp)
        await TestInfrastructure.dropDatabase(url: databaseURL)
    }

    /// An HTTP request to the service (see ``ServiceHTTP/request(_:port:_:body:token:timeout:)``).
    package func request(
        _ method: String, _ path: String, body: String? = nil, token: String? = nil
    ) async throws -> (status: Int, body: String, contentType: String?) {
        try await ServiceHTTP.request(method, port: port, path, body: body, token: token)
    }
}
