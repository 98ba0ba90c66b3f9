import Synchronization

/// Lets the batches of one consumer, which run concurrently, pass one section of their handler in the order they
/// were taken: batch n enters ``AMQPConsumer/inBatchOrder(_:)`` only once batch n − 1 has left it (or finished
/// without entering it). The rest of each batch still overlaps. One section per handler.
///
/// Billing orders its transactions this way (they would otherwise take its issuers' chains in any order, and a
/// return could be looked at before the batch holding its sale is committed); intake orders its announcements
/// (``AMQPConsumer/publishInBatchOrder(_:with:)``), so that a sale is announced before its return.
final class BatchTurns: Sendable {
    private struct State {
        var next = 0
        var passed: Set<Int> = []
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Suspends until every earlier batch has passed. A batch that has passed already (tried again after a failure
    /// that came after its section) goes on at once: its turn is behind it, and nothing would ever wake it.
    func wait(for number: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.next >= number || state.passed.contains(number) { return true }
                state.waiting[number] = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Marks batch `number` as passed (idempotent) and lets the next one in.
    func pass(_ number: Int) {
        let resume = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard number >= state.next, state.passed.insert(number).inserted else { return nil }
            while state.passed.remove(state.next) != nil { state.next += 1 }
            return state.waiting.removeValue(forKey: state.next)
        }
        resume?.resume()
    }
}

/// The batch a handler is running for, so that ``AMQPConsumer/inBatchOrder(_:)`` knows whose turn it is: one per
/// call of the handler (an attempt), since a batch that failed is tried again, whole or in parts.
final class BatchTurn: Sendable {
    let number: Int
    let turns: BatchTurns
    /// Whether leaving the section lets the next batch in. Not while the consumer tries parts of a failed batch:
    /// the batch keeps its turn until all of it is settled, so that the sections of the batches after it keep their
    /// order; the consumer passes it then.
    let passesTurn: Bool
    private let entered = Atomic<Bool>(false)

    init(number: Int, turns: BatchTurns, passesTurn: Bool) {
        self.number = number
        self.turns = turns
        self.passesTurn = passesTurn
    }

    /// Marks the section entered; a second entry in one attempt is a programming error.
    func enter() throws(BatchOrderError) {
        guard !entered.exchange(true, ordering: .relaxed) else { throw BatchOrderError() }
    }

    func pass() { if passesTurn { turns.pass(number) } }

    @TaskLocal static var current: BatchTurn?
}

extension AMQPConsumer {
    /// Runs `body` after the same section of every earlier batch of this consumer has run (outside a consumer's
    /// handler it just runs `body`). `body` is given a function that lets the next batch in before `body` returns
    /// (callable from any thread, idempotent); otherwise the next batch enters once `body` has returned.
    /// A section that throws before passing keeps the batch's turn: the consumer tries the batch again (or its parts)
    /// before any later batch enters.
    package static func inBatchOrder<T>(_ body: (_ passTurn: @escaping @Sendable () -> Void) async throws -> T) async throws -> T {
        guard let turn = BatchTurn.current else { return try await body({}) }
        try turn.enter()
        await turn.turns.wait(for: turn.number)
        let result = try await body { turn.pass() }
        turn.pass()
        return result
    }

    /// Publishes `messages` once every earlier batch of this consumer has queued its own this way, so that what
    /// batches announce reaches the broker in the order the batches came; the confirms are awaited concurrently.
    package static func publishInBatchOrder(_ messages: [OutgoingMessage], with publisher: AMQPPublisher) async throws {
        guard let turn = BatchTurn.current else { return try await publisher.publish(messages) }
        try turn.enter()
        await turn.turns.wait(for: turn.number)
        try await publisher.publish(messages) { turn.pass() }
    }
}
