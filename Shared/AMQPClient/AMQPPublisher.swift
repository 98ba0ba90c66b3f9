import Logging
import ServiceLifecycle

/// A publishing connection as a long-running service: it runs until graceful shutdown, then closes after its
/// outstanding confirms.
package struct AMQPPublisher: Service {
    package let connection: AMQPConnection

    package init(configuration: AMQPConfiguration, topology: Topology = Topology(), logger: Logger) {
        connection = AMQPConnection(configuration: configuration, topology: topology, logger: logger)
    }

    package var isConnected: Bool { connection.isConnected }

    package func publish(_ messages: [OutgoingMessage]) async throws { try await connection.publish(messages) }

    package func publish(_ message: OutgoingMessage) async throws { try await connection.publish(message) }

    /// See ``AMQPConnection/publish(_:whenQueued:)``.
    package func publish(_ messages: [OutgoingMessage], whenQueued: () -> Void) async throws {
        try await connection.publish(messages, whenQueued: whenQueued)
    }

    package func run() async throws {
        try? await gracefulShutdown()
        await connection.close()
    }
}
