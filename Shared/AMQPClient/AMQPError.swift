/// An error from the AMQP client: a stable code to branch on, a message a person can act on, and the cause.
public struct AMQPError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, stable across versions; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The URL could not be understood.
        public static let invalidURL = Code("amqp.invalid_url")
        /// TCP or TLS connection, or login, failed.
        public static let connectionFailed = Code("amqp.connection_failed")
        /// The connection went away while the operation was in flight; it may or may not have happened.
        public static let connectionLost = Code("amqp.connection_lost")
        /// The broker closed the channel or connection with an error (for example a missing exchange).
        public static let brokerClosed = Code("amqp.broker_closed")
        /// The broker refused a publish (`basic.nack`).
        public static let nacked = Code("amqp.nacked")
        /// A declaration (exchange, queue, binding) was refused.
        public static let declarationFailed = Code("amqp.declaration_failed")
        /// The client was closed before the operation could run.
        public static let closed = Code("amqp.closed")
        /// A protocol-level failure inside rabbitmq-c.
        public static let protocolError = Code("amqp.protocol_error")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(code): \(message) (\(underlying))" }
        return "\(code): \(message)"
    }
}
