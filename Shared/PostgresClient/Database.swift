import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A pool of PostgreSQL connections, each on a thread of its own, with an async API.
///
/// libpq blocks, so no libpq call runs on Swift's cooperative pool: work is a synchronous closure that one of the
/// pool's threads runs with its connection. A broken connection is reopened before the next piece of work.
package final class Database: Service, Sendable {
    package struct Configuration: Sendable {
        /// A `postgres://` URL or a libpq connection string.
        package var url: String
        /// Schemas searched for unqualified names; a service sets its own.
        package var searchPath: String?
        package var poolSize: Int

        package init(url: String, searchPath: String? = nil, poolSize: Int = 4) {
            self.url = url
            self.searchPath = searchPath
            self.poolSize = poolSize
        }
    }

    private struct Job: Sendable {
        let run: @Sendable (PostgresConnection) -> Void
        let fail: @Sendable (PostgresError) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var closed = false
    }

    private let queue = Mutex(Queue())
    private let condition = NSCondition()
    private let connectedWorkers = Atomic<Int>(0)
    private let runningWorkers = Atomic<Int>(0)
    package let configuration: Configuration
    private let logger: Logger

    /// Starts the pool's threads; each connects right away and again whenever its connection breaks.
    package init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        for index in 0..<max(1, configuration.poolSize) {
            runningWorkers.add(1, ordering: .relaxed)
            let thread = Thread { [self] in work() }
            thread.name = "postgres-\(index)"
            thread.start()
        }
    }

    /// Whether at least one pooled connection is up (for readiness checks).
    package var isConnected: Bool { connectedWorkers.load(ordering: .relaxed) > 0 }

    /// Runs `body` on one of the pool's threads with its connection. If the caller's task is cancelled before a
    /// thread takes the work, it is not run and this throws `CancellationError`; once taken, it runs to its end.
    package func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let claim = Claim()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = Job(
                    run: { connection in
                        guard claim.start() else { return }
                        do {
                            try connection.ensureConnected()
                            continuation.resume(returning: try body(connection))
                        } catch {
                            continuation.resume(throwing: error)
                        }
                        connection.rollbackIfNeeded()
                    },
                    fail: { error in if claim.start() { continuation.resume(throwing: error) } })
                claim.whenCancelled { continuation.resume(throwing: CancellationError()) }
                let accepted = queue.withLock { queue -> Bool in
                    guard !queue.closed else { return false }
                    queue.jobs.append(job)
                    return true
                }
                if accepted {
                    condition.lock()
                    condition.signal()
                    condition.unlock()
                } else {
                    job.fail(PostgresError(.closed, "the database client is closed"))
                }
            }
        } onCancel: {
            claim.cancel()
        }
    }

    /// Runs `body` in a transaction on one connection: committed if it returns, rolled back if it throws.
    @discardableResult
    package func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withConnection { connection in try connection.transaction(body) }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    package func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> QueryResult {
        try await withConnection { connection in try connection.query(sql, parameters) }
    }

    package func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Finishes queued work, then closes every connection.
    package func close() {
        queue.withLock { $0.closed = true }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        let connection = PostgresConnection(connectionString: configuration.url, searchPath: configuration.searchPath)
        var wasConnected = false
        func noteConnection() {
            let now = connection.isConnected
            if now != wasConnected { connectedWorkers.add(now ? 1 : -1, ordering: .relaxed) }
            wasConnected = now
        }
        do {
            try connection.ensureConnected()
        } catch {
            logger.warning("PostgreSQL is not reachable yet", metadata: ["error": .string("\(error)")])
        }
        noteConnection()
        while true {
            condition.lock()
            var job: Job?
            var closed = false
            while true {
                (job, closed) = queue.withLock { queue in
                    queue.jobs.isEmpty ? (nil, queue.closed) : (queue.jobs.removeFirst(), queue.closed)
                }
                if job != nil || closed { break }
                // Wake now and then to notice a broken idle connection and report readiness truthfully.
                if !condition.wait(until: Date(timeIntervalSinceNow: 2)), !connection.isConnected {
                    try? connection.ensureConnected()
                    noteConnection()
                }
            }
            condition.unlock()
            guard let job else { break }
            job.run(connection)
            noteConnection()
        }
        connection.close()
        noteConnection()
        runningWorkers.add(-1, ordering: .relaxed)
    }
}

/// Who resumes the caller of a piece of work: the thread that starts it, or the caller's cancellation before that.
private final class Claim: Sendable {
    private struct State {
        var settled = false
        var cancelled = false
        var resumeCancelled: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Whether the work may start (its caller has not given up); from now on cancellation changes nothing.
    func start() -> Bool {
        state.withLock { state in
            guard !state.settled else { return false }
            state.settled = true
            state.resumeCancelled = nil
            return true
        }
    }

    /// What resumes the caller if it is cancelled before the work starts (at once if it was already).
    func whenCancelled(_ resume: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            guard !state.settled else { return false }
            if state.cancelled {
                state.settled = true
                return true
            }
            state.resumeCancelled = resume
            return false
        }
        if now { resume() }
    }

    func cancel() {
        let resume = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            guard !state.settled, let resume = state.resumeCancelled else { return nil }
            state.settled = true
            state.resumeCancelled = nil
            return resume
        }
        resume?()
    }
}

extension Database {
    /// Streams rows into `table` with COPY; returns how many were written.
    @discardableResult
    package func copy(into table: String, columns: [String], rows: [[any PostgresEncodable]]) async throws -> Int {
        try await withConnection { connection in try connection.copy(into: table, columns: columns, rows: rows) }
    }
}
