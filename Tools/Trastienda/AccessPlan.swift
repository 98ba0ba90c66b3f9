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

        var brokerUser: String { "svc-\(name)" }
        var databaseRole: String { "trastienda_\(schema.replacingOccurrences(of: "-", with: "_"))" }
    }

    static let services: [ServiceAccess] = [
        ServiceAccess(
            name: "sales-intake", schema: "sales", consumes: [Queues.intakePOSSales], bindsFrom: [Exchanges.pos.name],
            publishesTo: [Exchanges.salesEvents.name]),
        ServiceAccess(
            name: "billing", schema: "billing", consumes: [Queues.billingSaleRecorded], bindsFrom: [Exchanges.salesEvents.name],
            publishesTo: [Exchanges.billingEvents.name]),
        ServiceAccess(
            name: "orders", schema: "orders", consumes: [Queues.ordersSaleRecorded, Queues.ordersCommands],
            bindsFrom: [Exchanges.salesEvents.name, Exchanges.ordersCommands.name],
            publishesTo: [Exchanges.stockEvents.name, Exchanges.ordersEvents.name]),
        ServiceAccess(
            name: "collections", schema: "collections", consumes: [Queues.collectionsInvoiceIssued, Queues.collectionsPayments],
            bindsFrom: [Exchanges.billingEvents.name, Exchanges.collectionsCommands.name], publishesTo: [Exchanges.collectionsEvents.name]),
        ServiceAccess(
            name: "hr", schema: "hr", consumes: [Queues.hrSaleRecorded, Queues.hrShifts], bindsFrom: [Exchanges.salesEvents.name, Exchanges.pos.name],
            publishesTo: [Exchanges.hrEvents.name]),
    ]

    /// `^(a|b|c)$` with every name escaped.
    static func exactly(_ names: [String]) -> String {
        guard !names.isEmpty else { return "^$" }
        return "^(" + names.map(escape).joined(separator: "|") + ")$"
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
        let queues = service.consumes.flatMap { [$0, Topology.deadLetterQueueName(for: $0), Topology.retryQueueName(for: $0)] }
        let exchanges = Set(service.bindsFrom + service.publishesTo + [Topology.deadLetterExchange.name]).sorted()
        // Declaring needs configure; binding needs write on the queue and read on the exchange; publishing needs write
        // on the exchange (`amq.default` for the retry queues); consuming needs read on the queue.
        return (
            exactly(queues + exchanges),
            exactly(queues + service.publishesTo + [Topology.deadLetterExchange.name, "amq.default"]),
            exactly(queues + service.bindsFrom + [Topology.deadLetterExchange.name])
        )
    }

    /// A terminal's broker user: `till-<terminal>`.
    static func terminalUser(_ terminal: String) -> String { "till-\(terminal)" }

    /// The routing keys a terminal may publish on `pos`: its sales, its shifts and its read receipts.
    static func terminalRoutingKeys(store: String, terminal: String) -> String {
        "^(sale|shift\\.opened|shift\\.closed|announcement\\.read)\\.\(escape(store))\\.\(escape(terminal))$"
    }
}
