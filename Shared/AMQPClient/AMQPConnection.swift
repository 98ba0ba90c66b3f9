import Foundation
import Logging
import Synchronization

/// A connection to RabbitMQ with one confirm-mode channel, living on a thread of its own.
///
/// rabbitmq-c connections block and must never be shared between threads, so each `AMQPConnection` owns one
/// thread that does all its I/O; async callers hand it commands and await their completion. When the broker goes
/// away the thread reconnects with backoff, declares the topology again and resumes consuming; publishes in flight
/// fail with ``AMQPError/Code/connectionLost`` and deliveries from the dead connection can no longer be acknowledged.
package final class AMQPConnection: Sendable {
    /// A queue to consume from on every (re)connection.
    package struct ConsumerSpecification: Sendable {
        package var queue: String
        package var prefetch: Int
        /// Subscribe only once this long has passed since the connection was created (a standby of a
        /// single-active-consumer queue subscribes after the replica meant to be its active consumer).
        package var subscribeAfter: Duration
        package init(queue: String, prefetch: Int, subscribeAfter: Duration = .zero) {
            self.queue = queue
            self.prefetch = prefetch
            self.subscribeAfter = subscribeAfter
        }
    }

    package let configuration: AMQPConfiguration
    let mailbox = Mailbox()
    let deliveries = DeliveryBuffer()
    private let connectedFlag = Atomic<Bool>(false)
    private let generationNow = Atomic<UInt64>(0)
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle {
        var closeRequested = false
        var finished = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Starts the connection's thread, which connects (and keeps reconnecting) until ``close()``.
    package init(
        configuration: AMQPConfiguration, topology: Topology = Topology(), consumer: ConsumerSpecification? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "amqp.connection"] = .string(configuration.connectionName)
        let loopLogger = logger
        let thread = Thread { [self] in
            ConnectionLoop(connection: self, topology: topology, consumer: consumer, logger: loopLogger).run()
        }
        thread.name = "amqp-\(configuration.connectionName)"
        thread.start()
    }

    /// Whether the connection is up now (for readiness checks).
    package var isConnected: Bool { connectedFlag.load(ordering: .relaxed) }

    func setConnected(_ value: Bool) { connectedFlag.store(value, ordering: .relaxed) }

    /// The generation of the connection that is up now (or was last): deliveries of an older one can no longer be
    /// acknowledged, and the broker delivers them again.
    var generation: UInt64 { generationNow.load(ordering: .relaxed) }

    func setGeneration(_ value: UInt64) { generationNow.store(value, ordering: .relaxed) }

    var isCloseRequested: Bool { lifecycle.withLock { $0.closeRequested } }

    /// Publishes every message and returns when the broker has confirmed them all.
    ///
    /// Throws ``AMQPError/Code/nacked`` if the broker refused any, ``AMQPError/Code/connectionLost`` if the
    /// connection dropped before all were confirmed (some may have been routed: publish again, consumers are
    /// idempotent), and ``AMQPError/Code/closed`` after ``close()``.
    package func publish(_ messages: [OutgoingMessage]) async throws {
        try await publish(messages, whenQueued: {})
    }

    /// Publishes as ``publish(_:)-([OutgoingMessage])`` does, calling `whenQueued` as soon as the messages are
    /// queued for the connection, which sends what it is given in order, before waiting for the confirms.
    package func publish(_ messages: [OutgoingMessage], whenQueued: () -> Void) async throws {
        guard !messages.isEmpty else { return whenQueued() }
        let ticket = Mutex<PublishTicket?>(nil)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let issued = PublishTicket(count: messages.count) { continuation.resume(with: $0) }
                ticket.withLock { $0 = issued }
                mailbox.send(.publish(messages, issued))
                whenQueued()
                if Task.isCancelled { issued.fail(CancellationError()) }
            }
        } onCancel: {
            ticket.withLock { $0 }?.fail(CancellationError())
        }
    }

    package func publish(_ message: OutgoingMessage) async throws {
        try await publish([message])
    }

    /// Declares exchanges, queues and bindings now and again after every reconnection.
    package func declare(_ topology: Topology) async throws {
        var attempt = 0
        while true {
            do {
                return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    mailbox.send(.declare(topology) { continuation.resume(with: $0) })
                }
            } catch {
                guard let pause = Self.declarationRetryPause(after: error, attempt: attempt) else { throw error }
                attempt += 1
                try await Task.sleep(for: pause)
            }
        }
    }

    /// How long to wait before declaring again after `error` on attempt `attempt` (0 first), or nil to give the error
    /// to the caller: a refusal the broker means as "not now" is asked again, five times at most, after a growing
    /// pause (the connection reopens meanwhile); any other refusal, or any other error, is the caller's to read at once.
    static func declarationRetryPause(after error: any Error, attempt: Int) -> Duration? {
        guard let refusal = error as? AMQPError, refusal.isTransientRefusal, attempt < 5 else { return nil }
        return .milliseconds(200 * (1 << (attempt + 1)))
    }

    /// Hands deliveries the consumer is done with back to the connection's thread, to be freed there (``Command/release(_:)``).
    func release(_ deliveries: [Delivery]) {
        mailbox.post(.release(deliveries))
    }

    /// Stops the broker delivering; deliveries already sent still arrive, then the buffer finishes.
    func cancelConsuming() {
        mailbox.send(.cancelConsuming)
    }

    /// Waits for outstanding confirms (a few seconds at most), closes the connection and ends its thread.
    package func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyFinished = lifecycle.withLock { lifecycle -> Bool in
                if lifecycle.finished { return true }
                lifecycle.closeRequested = true
                lifecycle.closeWaiters.append(continuation)
                return false
            }
            if alreadyFinished {
                continuation.resume()
            } else {
                mailbox.wake()
            }
        }
    }

    func threadFinished() {
        let waiters = lifecycle.withLock { lifecycle in
            lifecycle.finished = true
            defer { lifecycle.closeWaiters.removeAll() }
            return lifecycle.closeWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
