/// An error from the AMQP client: a stable code to branch on, a message a person can act on, and the cause.
package struct AMQPError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, stable across versions; new codes may be added.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package init(_ rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// The URL could not be understood.
        package static let invalidURL = Code("amqp.invalid_url")
        /// TCP or TLS connection, or login, failed.
        package static let connectionFailed = Code("amqp.connection_failed")
        /// The connection went away while the operation was in flight; it may or may not have happened.
        package static let connectionLost = Code("amqp.connection_lost")
        /// The broker closed the channel or connection with an error (for example a missing exchange).
        package static let brokerClosed = Code("amqp.broker_closed")
        /// The broker refused a publish (`basic.nack`).
        package static let nacked = Code("amqp.nacked")
        /// A declaration (exchange, queue, binding) was refused.
        package static let declarationFailed = Code("amqp.declaration_failed")
        /// The client was closed before the operation could run.
        package static let closed = Code("amqp.closed")
        /// A protocol-level failure inside rabbitmq-c.
        package static let protocolError = Code("amqp.protocol_error")
    }

    package let code: Code
    package let message: String
    package let underlying: (any Error)?
    /// The reply code the broker closed the channel or connection with, when it refused (404, 406, 541…).
    package let replyCode: Int?

    package init(_ code: Code, _ message: String, underlying: (any Error)? = nil, replyCode: Int? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.replyCode = replyCode
    }

    /// The broker could not do it now rather than would not (541 INTERNAL_ERROR: a quorum queue whose cluster did not
    /// form in time on a loaded broker, say): the same request can succeed a moment later.
    package var isTransientRefusal: Bool { replyCode == 541 }

    package var description: String {
        if let underlying { return "\(code): \(message) (\(underlying))" }
        return "\(code): \(message)"
    }
}
