import AMQPClient
import Foundation

/// Services run as separate processes on one vhost and one database, as in production, for tests that need
/// several services (or several replicas of one) talking through the broker.
package struct ProcessStack: Sendable {
    package let amqpURL: String
    package let databaseURL: String
    package let amqp: AMQPConfiguration

    /// Starts `name` (an executable of this package) with the stack's broker and database and `environment`.
    package func process(_ name: String, port: Int, _ environment: [String: String] = [:]) throws -> ServiceProcess {
        try ServiceProcess(
            name,
            environment: [
                "TRASTIENDA_AMQP_URL": amqpURL, "TRASTIENDA_DATABASE_URL": databaseURL, "TRASTIENDA_HTTP_PORT": String(port),
                "TRASTIENDA_LOG_LEVEL": "error",
            ].merging(environment) { $1 })
    }

    /// A fresh vhost and database for `body`, removed afterwards.
    package static func with(_ name: String, _ body: (ProcessStack) async throws -> Void) async throws {
        let amqp = try await TestInfrastructure.makeVirtualHost(name)
        let databaseURL = try await TestInfrastructure.makeDatabaseURL(name)
        let stack = ProcessStack(amqpURL: TestInfrastructure.amqpURL + amqp.virtualHost, databaseURL: databaseURL, amqp: amqp)
        do {
            try await body(stack)
        } catch {
            await TestInfrastructure.deleteVirtualHost(amqp)
            await TestInfrastructure.dropDatabase(url: databaseURL)
            throw error
        }
        await TestInfrastructure.deleteVirtualHost(amqp)
        await TestInfrastructure.dropDatabase(url: databaseURL)
    }

    /// An HTTP request to a service on this machine (see ``ServiceHTTP/request(_:port:_:body:token:timeout:)``);
    /// returns the status and the body.
    package static func request(
        _ method: String, port: Int, _ path: String, body: String? = nil, token: String? = nil, timeout: Double = 60
    ) async throws -> (Int, String) {
        let answer = try await ServiceHTTP.request(method, port: port, path, body: body, token: token, timeout: timeout)
        return (answer.status, answer.body)
    }

    /// Whether the service on `port` answers `/health/ready` with 200 within 90 s (see ``ReadinessWait``).
    package static func ready(_ port: Int) async -> Bool {
        await ReadinessWait.wait(port: port, timeout: .seconds(90)).ready
    }
}
