import Synchronization

/// Named yes/no checks that together say whether a service is ready for work (`/health/ready`).
package final class Readiness: Sendable {
    package typealias Check = @Sendable () -> Bool

    private let checks = Mutex<[(name: String, check: Check)]>([])

    package init() {}

    /// Adds a check; the service is ready only while every check passes.
    package func add(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    /// Each check's name and whether it passes now.
    package func evaluate() -> [(name: String, passing: Bool)] {
        checks.withLock { $0 }.map { ($0.name, $0.check()) }
    }
}

/// A flag one part of a service raises when it is done (for example, migrations applied).
package final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    package init() {}
    package func raise() { value.store(true, ordering: .releasing) }
    package var isRaised: Bool { value.load(ordering: .acquiring) }
}
