import Foundation

/// Waits for a service on this machine to answer `/health/ready` with 200, keeping what it last said while it was
/// not ready (its failing checks: database, broker, migrations, each consumer) or why it could not be asked, so that
/// a service that never became ready, or took long, says which part held it.
package enum ReadinessWait {
    package struct Outcome: Sendable {
        package var ready: Bool
        package var waited: Duration
        package var lastAnswer: String
    }

    /// Polls `port` until it is ready, `stopped` says the service ended, or `timeout` has passed; each request has
    /// 5 s (one hung on a loaded machine could otherwise eat the whole wait).
    package static func wait(
        port: Int, timeout: Duration, stopped: @Sendable () -> Bool = { false }
    ) async -> Outcome {
        var lastAnswer = "no answer yet"
        let started = ContinuousClock.now
        let ready = await eventually(timeout: timeout) {
            if stopped() { return true }
            do {
                let answer = try await ProcessStack.request("GET", port: port, "/health/ready", timeout: 5)
                guard answer.0 == 200 else {
                    lastAnswer = "\(answer.0) \(answer.1)"
                    return false
                }
                return true
            } catch {
                lastAnswer = "\(error)"
                return false
            }
        }
        let outcome = Outcome(ready: ready && !stopped(), waited: ContinuousClock.now - started, lastAnswer: lastAnswer)
        if !outcome.ready && !stopped() {
            FileHandle.standardError.write(Data("the service on port \(port) was not ready after \(timeout); /health/ready last: \(lastAnswer)\n".utf8))
        } else if outcome.waited > .seconds(20) {
            // Slow, not failed: said in the run's output, so that a machine where starting takes this long is seen.
            FileHandle.standardError.write(Data("the service on port \(port) became ready after \(outcome.waited); before that: \(lastAnswer)\n".utf8))
        }
        return outcome
    }
}
