import AMQPClient
import Foundation
import ServiceRuntime
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
            // What /health/ready last said while not ready (its failing checks), or why it could not be asked: a
            // service that never became ready, or took long, says which part held it.
            var lastAnswer = "no answer yet"
            let started = ContinuousClock.now
            let ready = await eventually(timeout: .seconds(90)) {
                if ended.withLock({ $0 }) != nil { return true }
                do {
                    let answer = try await service.request("GET", "/health/ready", timeout: 5)
                    guard answer.status == 200 else {
                        lastAnswer = "\(answer.status) \(answer.body)"
                        return false
                    }
                    return true
                } catch {
                    lastAnswer = "\(error)"
                    return false
                }
            }
            if let reason = ended.withLock({ $0 }) {
                throw InfrastructureUnavailable(description: "\(definition.name) \(reason) before it became ready")
            }
            guard ready else {
                throw InfrastructureUnavailable(
                    description: "\(definition.name) did not become ready in 90 s; /health/ready last: \(lastAnswer)")
            }
            let waited = ContinuousClock.now - started
            if waited > .seconds(20) {
                // Slow, not failed: said in the run's output, so that a machine where starting takes this long is seen.
                FileHandle.standardError.write(Data("\(definition.name) became ready after \(waited); before that: \(lastAnswer)\n".utf8))
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

    /// An HTTP request to the service, with an admin's token unless `token` is given (`""` for none); returns the
    /// status, the body and its content type. `timeout` is in seconds.
    package func request(
        _ method: String, _ path: String, body: String? = nil, token: String? = nil, timeout: Double = 60
    ) async throws -> (status: Int, body: String, contentType: String?) {
        var request = URLRequest(url: URL(string: "http://localhost:\(port)\(path)")!, timeoutInterval: timeout)
        request.httpMethod = method
        var bearer = token ?? ""
        if token == nil { bearer = try await TestTokens.admin() }
        if !bearer.isEmpty { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type"))
    }
}
