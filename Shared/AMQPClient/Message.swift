import Foundation

/// A value in an AMQP header table.
package enum HeaderValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case table([String: HeaderValue])
    case array([HeaderValue])
    case void

    /// The value as text when it is a string.
    package var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as an integer when it is one.
    package var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }
}

/// The AMQP basic properties Trastienda uses.
package struct MessageProperties: Sendable, Equatable {
    package var contentType: String?
    /// The message's type with its version, for example `pos.sale.v1`.
    package var type: String?
    package var messageId: String?
    package var correlationId: String?
    /// Seconds since 1970.
    package var timestamp: Int64?
    package var persistent: Bool
    /// The broker checks this equals the connection's user.
    package var userId: String?
    package var appId: String?
    /// Milliseconds the message may wait in a queue, as decimal text (the retry queue's delay).
    package var expiration: String?
    package var headers: [String: HeaderValue]

    package init(
        contentType: String? = "application/json", type: String? = nil, messageId: String? = nil,
        correlationId: String? = nil, timestamp: Int64? = nil, persistent: Bool = true, userId: String? = nil,
        appId: String? = nil, expiration: String? = nil, headers: [String: HeaderValue] = [:]
    ) {
        self.expiration = expiration
        self.contentType = contentType
        self.type = type
        self.messageId = messageId
        self.correlationId = correlationId
        self.timestamp = timestamp
        self.persistent = persistent
        self.userId = userId
        self.appId = appId
        self.headers = headers
    }
}

/// A message to publish.
package struct OutgoingMessage: Sendable {
    package var exchange: String
    package var routingKey: String
    package var body: [UInt8]
    package var properties: MessageProperties

    package init(exchange: String, routingKey: String, body: [UInt8], properties: MessageProperties = MessageProperties()) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
    }
}

/// A message the broker delivered to a consumer. A class: a batch passes each delivery along several times, and a
/// struct of this many strings cost a retain and a release of each at every copy.
package final class Delivery: Sendable {
    package let deliveryTag: UInt64
    /// Which connection (and channel) delivered it; a tag is only valid on the connection that gave it.
    package let connectionGeneration: UInt64
    package let exchange: String
    package let routingKey: String
    package let redelivered: Bool
    package let body: [UInt8]
    package let properties: MessageProperties

    package init(
        deliveryTag: UInt64, connectionGeneration: UInt64, exchange: String, routingKey: String, redelivered: Bool,
        body: [UInt8], properties: MessageProperties
    ) {
        self.deliveryTag = deliveryTag
        self.connectionGeneration = connectionGeneration
        self.exchange = exchange
        self.routingKey = routingKey
        self.redelivered = redelivered
        self.body = body
        self.properties = properties
    }
}

/// Why the handler refuses one message: it goes to the dead-letter queue with these as headers, or, when it may
/// succeed later (it waits for another message), back to the queue after a delay, until the retries run out.
package struct Rejection: Sendable, Equatable {
    package enum Disposition: Sendable, Equatable {
        /// Park it in the dead-letter queue now.
        case deadLetter
        /// Return it to the queue after the consumer's retry delay; past its retry limit, park it.
        case retryLater
    }

    package let deliveryTag: UInt64
    /// Stable and machine-readable, for example `sale.total_mismatch`.
    package let code: String
    /// For a person, for example "total 798 ≠ lines 799".
    package let reason: String
    package let disposition: Disposition
    /// What is retried (or parked) instead of the whole body, when the handler did the rest of the message: the part
    /// that must wait, as a message of the same type.
    package let remainder: [UInt8]?

    package init(deliveryTag: UInt64, code: String, reason: String, disposition: Disposition = .deadLetter, remainder: [UInt8]? = nil) {
        self.deliveryTag = deliveryTag
        self.code = code
        self.reason = reason
        self.disposition = disposition
        self.remainder = remainder
    }

    /// A message that cannot be handled yet (for example a return whose sale is not invoiced yet); with `remainder`,
    /// only that part of it waits.
    package static func retryLater(deliveryTag: UInt64, code: String, reason: String, remainder: [UInt8]? = nil) -> Rejection {
        Rejection(deliveryTag: deliveryTag, code: code, reason: reason, disposition: .retryLater, remainder: remainder)
    }

    /// Header names a dead letter carries.
    package static let codeHeader = "x-rejection-code"
    /// Seconds since 1970 when the consumer parked the message.
    package static let deadLetteredAtHeader = "x-dead-lettered-at"
    package static let reasonHeader = "x-rejection-reason"
}
