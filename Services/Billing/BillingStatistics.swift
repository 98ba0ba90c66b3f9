import AMQPClient
import Foundation
import Metrics
import ServiceRuntime
import Synchronization

/// What billing has done since it started: exported as Prometheus metrics and shown by `GET /stats`.
final class BillingStatistics: Sendable {
    struct Snapshot: Sendable, Codable, BatchStamped {
        var issued = 0
        var creditNotes = 0
        /// Invoices announced again for sales delivered again.
        var announcedAgain = 0
        /// Deliveries sent to wait in the retry queue (a store without an issuer, a return before its sale).
        var retried = 0
        var batches = 0
        /// Batches numbered from where the batch before them would leave the chains, before it committed.
        var numberedFromBatchBefore = 0
        /// Batches rolled back and issued again because what they were numbered from did not hold.
        var issuedAgain = 0
        /// Milliseconds since 1970 when the first batch was taken, and when the last one was committed.
        var firstDeliveryAtMilliseconds: Int64?
        var lastCommitAtMilliseconds: Int64?
    }

    private let state = Mutex(Snapshot())
    /// Batches, and when the first began and the last was committed.
    private let activity = BatchActivity()
    private let issuedCounter = Counter(label: "billing_invoices_issued_total", dimensions: [("kind", "invoice")])
    private let creditNoteCounter = Counter(label: "billing_invoices_issued_total", dimensions: [("kind", "credit_note")])
    private let againCounter = Counter(label: "billing_invoices_announced_again_total")
    private let retriedCounter = Counter(label: "billing_deliveries_retried_total")
    private let handedOnCounter = Counter(label: "billing_batches_numbered_from_batch_before_total")
    private let issuedAgainCounter = Counter(label: "billing_batches_issued_again_total")
    private let batchDuration = Timer(label: "billing_batch_duration_seconds")

    var snapshot: Snapshot { activity.stamped(state.withLock { $0 }) }

    func batchStarted() { activity.batchStarted() }

    func batchCommitted(
        invoices: Int, creditNotes: Int, announcedAgain: Int, retried: Int, handedOn: Bool = false, issuedAgain: Bool = false,
        duration: Duration
    ) {
        state.withLock { state in
            state.issued += invoices + creditNotes
            state.creditNotes += creditNotes
            state.announcedAgain += announcedAgain
            state.retried += retried
            if handedOn { state.numberedFromBatchBefore += 1 }
            if issuedAgain { state.issuedAgain += 1 }
        }
        activity.batchCommitted(handled: invoices + creditNotes)
        issuedCounter.increment(by: Int64(invoices))
        creditNoteCounter.increment(by: Int64(creditNotes))
        againCounter.increment(by: Int64(announcedAgain))
        retriedCounter.increment(by: Int64(retried))
        if handedOn { handedOnCounter.increment() }
        if issuedAgain { issuedAgainCounter.increment() }
        batchDuration.recordNanoseconds(duration.wholeNanoseconds)
    }
}
