import Foundation
import Synchronization

/// How much a consumer has handled since the process started, and when its first batch began and its last one was
/// committed: what `GET /stats` shows and what a benchmark divides by.
public final class BatchActivity: Sendable {
    public struct Snapshot: Sendable, Codable, Equatable {
        public var handled = 0
        public var batches = 0
        /// Milliseconds since 1970.
        public var firstDeliveryAtMilliseconds: Int64?
        public var lastCommitAtMilliseconds: Int64?
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func batchStarted() {
        state.withLock { $0.firstDeliveryAtMilliseconds = $0.firstDeliveryAtMilliseconds ?? Self.nowMilliseconds() }
    }

    public func batchCommitted(handled: Int) {
        state.withLock { state in
            state.handled += handled
            state.batches += 1
            state.lastCommitAtMilliseconds = Self.nowMilliseconds()
        }
    }

    /// The snapshot as JSON.
    public var json: String { String(decoding: (try? JSONEncoder().encode(snapshot)) ?? Data("{}".utf8), as: UTF8.self) }

    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
