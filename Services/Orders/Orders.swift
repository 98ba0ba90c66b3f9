import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Orders and stock: a stock ledger that follows every sale, reorder points, and customer orders.
enum Orders {
    static let definition = ServiceDefinition(
        name: "orders", defaultHTTPPort: 8083, schema: "orders", migrations: migrations, topology: topology)

    static let migrations: [Migration] = [CommonMigrations.handledMessages]

    /// Recorded sales and order commands in; stock and order events out.
    static let topology = Topology(
        exchanges: [Exchanges.salesEvents, Exchanges.stockEvents, Exchanges.ordersEvents, Exchanges.ordersCommands])
        .merging(.consumingQueue(Queues.ordersSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
        .merging(.consumingQueue(Queues.ordersCommands, bindings: [(Exchanges.ordersCommands.name, RoutingKeys.allOrderCommands)]))
}
