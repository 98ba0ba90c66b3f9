import AMQPClient
import Foundation
import Metrics
import ServiceRuntime
import Synchronization

/// What intake has done since it started: exported as Prometheus metrics and shown by `GET /stats`.
final class IntakeStatistics: Sendable {
    struct Snapshot: Sendable, Codable, BatchStamped {
        var recorded = 0
        var duplicates = 0
        var rejectedByCode: [String: Int] = [:]
        var batches = 0
        /// Milliseconds since 1970 when the first delivery was handled, and when the last batch was committed.
        var firstDeliveryAtMilliseconds: Int64?
        var lastCommitAtMilliseconds: Int64?
    }

    private let state = Mutex(Snapshot())
    /// Batches, and when the first began and the last was committed.
    private let activity = BatchActivity()
    private let recordedCounter = Counter(label: "intake_sales_recorded_total")
    private let duplicateCounter = Counter(label: "intake_sales_duplicates_total")
    private let batchSize = Recorder(label: "intake_batch_size", aggregate: true)
    private let batchDuration = Timer(label: "intake_batch_duration_seconds")
    private let lag = Timer(label: "intake_sale_lag_seconds")

    var snapshot: Snapshot { activity.stamped(state.withLock { $0 }) }

    func batchStarted() { activity.batchStarted() }

    func batchFinished(size: Int, recorded: Int, duplicates: Int, rejections: [String], duration: Duration, lags: [TimeInterval]) {
        state.withLock { state in
            state.recorded += recorded
            state.duplicates += duplicates
            for code in rejections { state.rejectedByCode[code, default: 0] += 1 }
        }
        activity.batchCommitted(handled: size)
        recordedCounter.increment(by: Int64(recorded))
        if duplicates > 0 { duplicateCounter.increment(by: Int64(duplicates)) }
        for code in rejections { Counter(label: "intake_sales_rejected_total", dimensions: [("code", code)]).increment() }
        batchSize.record(size)
        batchDuration.recordNanoseconds(duration.wholeNanoseconds)
        // Clamped to a century: a lag is measured from the till's clock, which the sale itself states.
        for seconds in lags where seconds.isFinite { lag.recordNanoseconds(Int64(min(max(0, seconds), 3_155_760_000) * 1e9)) }
    }
}
