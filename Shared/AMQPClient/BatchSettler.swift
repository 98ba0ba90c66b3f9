import Synchronization

/// Acknowledges (or returns) batches strictly in the order they were taken, whatever order they finish in: a
/// multiple-ack covers every earlier tag, so batch n may only be settled once every batch before it is.
final class BatchSettler: Sendable {
    private struct State {
        var next = 0
        var finished: [Int: (last: Delivery, outcome: AMQPConsumer.Outcome)] = [:]
    }

    private let state = Mutex(State())
    /// Where the acknowledgements go: the connection's thread (a test collects them instead).
    private let send: @Sendable (Command) -> Void

    init(send: @escaping @Sendable (Command) -> Void) { self.send = send }

    convenience init(connection: AMQPConnection) {
        self.init(send: { connection.mailbox.send($0) })
    }

    /// Batch `number` is finished (its last delivery and what to do with it); it and every batch after it that is
    /// finished already are settled now if every batch before it is.
    func settle(_ number: Int, last: Delivery, outcome: AMQPConsumer.Outcome) {
        state.withLock { state in
            state.finished[number] = (last, outcome)
            while let (last, outcome) = state.finished.removeValue(forKey: state.next) {
                // Sent under the lock so that the connection receives them in order.
                switch outcome {
                case .acknowledge(let upTo?):
                    send(.ack(upTo: upTo.deliveryTag, generation: upTo.connectionGeneration))
                case .acknowledge(nil):
                    break
                case .returnToQueue:
                    send(.nack(upTo: last.deliveryTag, generation: last.connectionGeneration, requeue: true, multiple: true))
                }
                state.next += 1
            }
        }
    }
}
