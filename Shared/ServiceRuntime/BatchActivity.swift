import Foundation
import Synchronization

/// How much a consumer has handled since the process started, and when its first batch began and its last one was
/// committed: what `GET /stats` shows and what a benchmark divides by.
package final class BatchActivity: Sendable {
    package struct Snapshot: Sendable, Codable, Equatable {
        package var handled = 0
        package var batches = 0
        /// Milliseconds since 1970.
        package var firstDeliveryAtMilliseconds: Int64?
        package var lastCommitAtMilliseconds: Int64?
    }

    private let state = Mutex(Snapshot())

    package init() {}

    package var snapshot: Snapshot { state.withLock { $0 } }

    package func batchStarted() {
        state.withLock { $0.firstDeliveryAtMilliseconds = $0.firstDeliveryAtMilliseconds ?? Self.nowMilliseconds() }
    }

    package func batchCommitted(handled: Int) {
        state.withLock { state in
            state.handled += handled
            state.batches += 1
            state.lastCommitAtMilliseconds = Self.nowMilliseconds()
        }
    }

    /// `snapshot` (a service's own statistics) with this activity's batches and times.
    package func stamped<Stamped: BatchStamped>(_ snapshot: Stamped) -> Stamped {
        let activity = self.snapshot
        var snapshot = snapshot
        snapshot.batches = activity.batches
        snapshot.firstDeliveryAtMilliseconds = activity.firstDeliveryAtMilliseconds
        snapshot.lastCommitAtMilliseconds = activity.lastCommitAtMilliseconds
        return snapshot
    }

    /// The snapshot as JSON.
    package var json: String { String(decoding: (try? JSONEncoder().encode(snapshot)) ?? Data("{}".utf8), as: UTF8.self) }

    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// A service's statistics that show its batches as ``BatchActivity`` counts them.
package protocol BatchStamped {
    var batches: Int { get set }
    var firstDeliveryAtMilliseconds: Int64? { get set }
    var lastCommitAtMilliseconds: Int64? { get set }
}
