import Foundation
import Logging
import ServiceLifecycle

/// With `TRASTIENDA_EXIT_WITH_PARENT=1`, a service stops (as on SIGTERM) when the process that started it ends. The
/// test suite sets it, so that the services a crashed test run started do not live on, connected and retrying.
struct ParentWatch: Service {
    let logger: Logger

    static var isWanted: Bool { ProcessInfo.processInfo.environment["TRASTIENDA_EXIT_WITH_PARENT"] == "1" }

    func run() async throws {
        let parent = getppid()
        do {
            try await cancelWhenGracefulShutdown {
                while getppid() == parent { try await Task.sleep(for: .milliseconds(500)) }
            }
        } catch is CancellationError {
            return  // shutting down anyway
        }
        logger.warning("The process that started this service ended; stopping")
        kill(getpid(), SIGTERM)
        try? await gracefulShutdown()
    }
}
