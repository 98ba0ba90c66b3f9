import Logging
import ServiceLifecycle

/// A publishing connection as a long-running service: it runs until graceful shutdown, then closes after its
/// outstanding confirms.
public struct AMQPPublisher: Service {
    public let connection: AMQPConnection

    public init(configuration: AMQPConfiguration, topology: Topology = Topology(), logger: Logger) {
        connection = AMQPConnection(configuration: configuration, topology: topology, logger: logger)
    }

    public var isConnected: Bool { connection.isConnected }

    public func publish(_ messages: [OutgoingMessage]) async throws { try await connection.publish(messages) }

    public func publish(_ message: OutgoingMessage) async throws { try await connection.publish(message) }

    /// See ``AMQPConnection/publish(_:whenQueued:)``.
    public func publish(_ messages: [OutgoingMessage], whenQueued: () -> Void) async throws {
        try await connection.publish(messages, whenQueued: whenQueued)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await connection.close()
    }
}
