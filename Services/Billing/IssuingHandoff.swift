import Dispatch
import Synchronization

/// Lets billing's batches overlap on one issuer's chain. Each batch, once numbered, leaves itself here (where it will
/// leave the chains and series, ``NumberedBatch/end``, and its invoices for the returns of its sales), then lets the
/// next batch in; that batch numbers
/// from those ends instead of waiting on the chains' locks, and stores its invoices while the one before it is still
/// storing or committing. Before it moves the chains on it waits for that batch to commit, locks chains and series
/// without waiting and checks they are where it began (``BillingStore/settle(_:verifying:on:)``); if the batch before
/// failed, or anything else moved them, it rolls back and is issued again the conventional way, waiting on the locks.
///
/// The locks and unique keys keep series gapless and chains unforked whatever happens here: what the handoff adds is
/// only a guess at where to start, checked before commit.
final class IssuingHandoff: Sendable {
    /// Checking a guess found the chains or series moved by someone else.
    struct Mismatch: Error {}

    /// One batch's attempt: where it leaves things, and whether it committed.
    final class Attempt: Sendable {
        private struct State {
            var batch: NumberedBatch?
            var committed: Bool?
            var published = false
            var fromPredecessor = false
        }

        private let state = Mutex(State())
        private let settled = DispatchSemaphore(value: 0)

        /// Records whether the attempt committed (once) and wakes whoever waits for it.
        func settle(committed: Bool) {
            let first = state.withLock { state -> Bool in
                guard state.committed == nil else { return false }
                state.committed = committed
                state.batch = nil
                return true
            }
            if first { settled.signal() }
        }

        /// Whether the batch was numbered and handed on (the next batch may have been let in).
        var isPublished: Bool { state.withLock { $0.published } }

        /// Whether the attempt committed, waiting for it up to `timeout` seconds (false if it has not by then: the
        /// batch after it rolls back rather than wait on, say, a sale both hold).
        func waitCommitted(timeout seconds: Double) -> Bool {
            if let committed = state.withLock({ $0.committed }) { return committed }
            guard settled.wait(timeout: .now() + seconds) == .success else { return false }
            settled.signal()  // for anyone else waiting
            return state.withLock { $0.committed } ?? false
        }

        /// Whether the batch was numbered from the batch before it, in flight then.
        var numberedFromPredecessor: Bool { state.withLock { $0.fromPredecessor } }

        fileprivate func publish(_ batch: NumberedBatch, fromPredecessor: Bool) {
            state.withLock { state in
                guard state.committed == nil else { return }
                state.published = true
                state.fromPredecessor = fromPredecessor
                state.batch = batch
            }
        }

        /// The batch as numbered, while it has neither committed nor failed.
        fileprivate var inFlight: NumberedBatch? {
            state.withLock { state in state.committed == nil ? state.batch : nil }
        }
    }

    /// The batch before: numbered, not yet committed.
    struct Predecessor: Sendable {
        let attempt: Attempt
        let batch: NumberedBatch
    }

    private let latest = Mutex<Attempt?>(nil)
    /// How long a batch waits for the one before it to commit.
    let commitWait: Double

    init(commitWait: Double = 3) {
        self.commitWait = commitWait
    }

    /// The last batch numbered, while it is still in flight.
    func predecessor() -> Predecessor? {
        guard let attempt = latest.withLock({ $0 }), let batch = attempt.inFlight else { return nil }
        return Predecessor(attempt: attempt, batch: batch)
    }

    /// Leaves where `attempt` leaves things for the batch after it.
    func publish(_ attempt: Attempt, _ batch: NumberedBatch, fromPredecessor: Bool) {
        attempt.publish(batch, fromPredecessor: fromPredecessor)
        latest.withLock { $0 = attempt }
    }
}
