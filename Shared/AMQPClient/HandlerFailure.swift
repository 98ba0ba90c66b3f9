/// What a consumer makes of an error its handler threw, decided from the error itself (never guessed from timing).
package enum HandlerFailure: Sendable, Equatable {
    /// The same messages may well succeed later as they are (the broker or the database went away, a serialization
    /// failure, a deadlock): the batch waits and is tried again with backoff, spending none of the queue's delivery
    /// limit, however long the outage lasts.
    case transient
    /// Something in the messages makes the handler fail: the consumer splits the batch to find the messages at
    /// fault and dead-letters each of them alone, with this code and the error as reason.
    case deterministic(code: String)

    /// The code a message parked by a failing handler carries when nothing more precise is known.
    package static let handlerFailedCode = "handler.failed"

    /// The AMQP client's own verdict: its errors are about the broker, so transient; cancellation (shutdown) too;
    /// anything else deterministic. Services add their database's errors (see `ServiceRuntime`'s classifier).
    package static func classify(_ error: any Error) -> HandlerFailure {
        switch error {
        case is AMQPError, is CancellationError: .transient
        case let error as any CodedFailure: .deterministic(code: error.failureCode)
        default: .deterministic(code: handlerFailedCode)
        }
    }
}

/// An error that names, with a stable code, what in the messages made the handler fail (a sale that breaks the
/// contract, say): a message parked for it carries that code.
package protocol CodedFailure: Error {
    var failureCode: String { get }
}

/// Decides whether a handler's error is transient or caused by the messages (see ``HandlerFailure``).
package typealias FailureClassifier = @Sendable (any Error) -> HandlerFailure

/// One part of a message that carries many items (one sale of a `sale.recorded`, say), as a message of its own: what
/// a consumer hands its handler, and parks alone, when the whole message fails.
package struct MessagePart: Sendable {
    package var body: [UInt8]
    package var properties: MessageProperties

    package init(body: [UInt8], properties: MessageProperties) {
        self.body = body
        self.properties = properties
    }

    /// The header a part carries with the id of the message it was cut from.
    package static let originalMessageIdHeader = "x-original-message-id"
}

/// Cuts a message into its parts, or returns nil when it has only one (it cannot be split further).
package typealias MessageSplitter = @Sendable (Delivery) -> [MessagePart]?

/// A handler entered its batch's ordered section twice in one attempt: a programming error, reported at once instead
/// of waiting forever for a turn that has passed.
package struct BatchOrderError: CodedFailure, CustomStringConvertible, Sendable {
    package let failureCode = "consumer.section_reentered"
    package var description: String {
        "a batch entered AMQPConsumer.inBatchOrder (or publishInBatchOrder) twice in one handler call: one ordered section per handler"
    }
}
