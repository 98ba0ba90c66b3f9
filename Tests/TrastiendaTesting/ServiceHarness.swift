import AMQPClient
import Logging
import ServiceLifecycle
import Synchronization

/// Collects what a test consumer saw, across the consumer's task and the test.
package final class Seen: Sendable {
    private let state = Mutex<[Delivery]>([])
    package init() {}
    package func add(_ deliveries: [Delivery]) { state.withLock { $0.append(contentsOf: deliveries) } }
    package var all: [Delivery] { state.withLock { $0 } }
    package var count: Int { state.withLock { $0.count } }
}

/// Runs `services` until `body` returns, then shuts them down gracefully as a service group would.
package func running<T>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: services, logger: TestInfrastructure.logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// A consumer that keeps everything it receives in `seen` and acknowledges it.
package func collector(
    _ configuration: AMQPConfiguration, queue: String, topology: Topology = Topology(), into seen: Seen
) -> AMQPConsumer {
    AMQPConsumer(
        configuration: configuration.named("collector-\(queue)"), settings: ConsumerSettings(queue: queue, batchWait: .milliseconds(2)),
        topology: topology, logger: TestInfrastructure.logger
    ) { batch in
        seen.add(batch)
        return []
    }
}
