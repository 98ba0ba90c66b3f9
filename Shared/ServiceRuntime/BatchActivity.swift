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

    /// The snapshot as JSON.
    package var json: String { String(decoding: (try? JSONEncoder().encode(snapshot)) ?? Data("{}".utf8), as: UTF8.self) }

    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
