import Foundation
import Logging
import PostgresClient
import ServiceLifecycle
import ServiceRuntime

/// Issues the Z reports of closed sessions whose receipts did not all come within the settle time (a terminal that
/// declared more than intake accepted, or none at all), every few seconds until graceful shutdown.
struct TillReporter: Service {
    let database: Database
    let settle: Duration
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let settle = self.settle
                try await database.transaction { connection in _ = try TillSessions.reportSettled(settle: settle, on: connection) }
            } catch {
                logger.warning("Issuing settled Z reports failed; will try again", metadata: ["error": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
