import AMQPClient
import Contracts
import Foundation

/// Who may do what. Each service has its broker user and its PostgreSQL role, allowed exactly the queues, exchanges
/// and schema it uses; each terminal has a broker user that may only publish its own store's and terminal's
/// messages on `pos`.
enum AccessPlan {
    struct ServiceAccess: Sendable {
        var name: String
        var schema: String
        /// Queues it consumes (their dead-letter and retry queues come with them).
        var consumes: [String]
        /// Exchanges it binds its queues to.
        var bindsFrom: [String]
        /// Exchanges it publishes to.
        var publishesTo: [String]
        /// Whether its queues may come as partitions (`<queue>.p<n>`, behind `pos.partitions`).
        var partitioned = false
        /// The console's: it reads the dead-letter queues (through the management API too) and publishes their
        /// messages back to the exchanges they came from; it consumes and declares nothing else.
        var operatesDeadLetters = false

        var brokerUser: String { "svc-\(name)" }
        var databaseRole: String { "trastienda_\(schema.replacingOccurrences(of: "-", with: "_"))" }
    }

    static let services: [ServiceAccess] = [
        ServiceAccess(
            name: "sales-intake", schema: "sales", consumes: [Queues.intakePOSSales], bindsFrom: [Exchanges.pos.name, Exchanges.posPartitions.name],
            publishesTo: [Exchanges.salesEvents.name], partitioned: true),
        ServiceAccess(
            name: "billing", schema: "billing", consumes: [Queues.billingSaleRecorded], bindsFrom: [Exchanges.salesEvents.name],
            publishesTo: [Exchanges.billingEvents.name]),
        ServiceAccess(
            name: "orders", schema: "orders", consumes: [Queues.ordersSaleRecorded, Queues.ordersCommands],
            bindsFrom: [Exchanges.salesEvents.name, Exchanges.ordersCommands.name],
            publishesTo: [Exchanges.stockEvents.name, Exchanges.ordersEvents.name]),
        ServiceAccess(
            name: "collections", schema: "collections", consumes: [Queues.collectionsInvoiceIssued, Queues.collectionsPayments, Queues.collectionsTills],
            bindsFrom: [Exchanges.billingEvents.name, Exchanges.collectionsCommands.name, Exchanges.pos.name], publishesTo: [Exchanges.collectionsEvents.name]),
        ServiceAccess(
            name: "hr", schema: "hr", consumes: [Queues.hrSaleRecorded, Queues.hrShifts], bindsFrom: [Exchanges.salesEvents.name, Exchanges.pos.name],
            publishesTo: [Exchanges.hrEvents.name]),
        ServiceAccess(name: "console", schema: "console", consumes: [], bindsFrom: [], publishesTo: [], operatesDeadLetters: true),
    ]

    /// `^(a|b|c)$` with every name escaped; `patterns` are added as they are.
    static func exactly(_ names: [String], patterns: [String] = []) -> String {
        guard !names.isEmpty || !patterns.isEmpty else { return "^$" }
        return "^(" + (names.map(escape) + patterns).joined(separator: "|") + ")$"
    }

    static func escape(_ name: String) -> String {
        var escaped = ""
        for character in name {
            if ".*+?()[]{}|^$\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// configure, write and read permissions of a service's broker user.
    static func permissions(_ service: ServiceAccess) -> (configure: String, write: String, read: String) {
        if service.operatesDeadLetters {
            let exchanges = Set(services.flatMap { $0.bindsFrom + $0.publishesTo }).sorted()
            return ("^$", exactly(exchanges + ["amq.default"]), "^.*\\.dead-letter$")
        }
        let queues = service.consumes.flatMap { [$0, Topology.deadLetterQueueName(for: $0), Topology.retryQueueName(for: $0)] }
        let partitions = service.partitioned ? service.consumes.map { escape($0) + "\\.p[0-9]+(\\.dead-letter|\\.retry)?" } : []
        let exchanges = Set(service.bindsFrom + service.publishesTo + [Topology.deadLetterExchange.name]).sorted()
        // Declaring needs configure; binding needs write on the queue (or destination exchange) and read on the
        // source; publishing needs write on the exchange (`amq.default` for the retry queues); consuming, read.
        let destinations = service.partitioned ? [Exchanges.posPartitions.name] : []
        return (
            exactly(queues + exchanges, patterns: partitions),
            exactly(queues + service.publishesTo + destinations + [Topology.deadLetterExchange.name, "amq.default"], patterns: partitions),
            exactly(queues + service.bindsFrom + [Topology.deadLetterExchange.name], patterns: partitions)
        )
    }

    /// A terminal's broker user: `till-<terminal>`.
    static func terminalUser(_ terminal: String) -> String { "till-\(terminal)" }

    /// The routing keys a terminal may publish on `pos`: its sales, its shifts, its till's events and its read receipts.
    static func terminalRoutingKeys(store: String, terminal: String) -> String {
        "^(sale|shift\\.opened|shift\\.closed|till\\.opened|till\\.cash_moved|till\\.closed|announcement\\.read)\\.\(escape(store))\\.\(escape(terminal))$"
    }
}
