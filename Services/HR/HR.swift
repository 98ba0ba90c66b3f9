import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// HR: staff, store assignments, shifts from the tills, sales per employee, announcements.
enum HR {
    static let definition = ServiceDefinition(
        name: "hr", defaultHTTPPort: 8085, schema: "hr", migrations: migrations, topology: topology)

    static let migrations: [Migration] = [CommonMigrations.handledMessages]

    /// Recorded sales and POS shift events in; staff events and announcements out.
    static let topology = Topology(exchanges: [Exchanges.pos, Exchanges.salesEvents, Exchanges.hrEvents])
        .merging(.consumingQueue(Queues.hrSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
        .merging(.consumingQueue(Queues.hrShifts, bindings: [(Exchanges.pos.name, RoutingKeys.allShiftEvents)]))
}
