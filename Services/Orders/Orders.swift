import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Orders and stock: a stock ledger that follows every sale, reorder points and replenishments, and customer orders.
enum Orders {
    /// The sales whose stock this process moved, for `GET /stats`.
    static let salesActivity = BatchActivity()

    static let definition = ServiceDefinition(
        name: "orders", defaultHTTPPort: 8083, schema: "orders", migrations: migrations, topology: topology,
        consumers: { context in
            [
                context.consumer(
                    "orders-sales", queue: Queues.ordersSaleRecorded, splitter: RecordedSales.split, topology: topology,
                    handler: SaleStockMover(database: context.database, activity: salesActivity).handle),
                context.consumer(
                    "orders-commands", queue: Queues.ordersCommands, topology: topology,
                    handler: OrderCommandHandler(database: context.database).handle),
            ]
        },
        routes: { router, context in OrdersRoutes.add(to: router, database: context.database, salesActivity: salesActivity) },
        consumerDefaults: .recordedSales, hasOutbox: true, access: OrdersAccess.policy)

    static let migrations = OrdersSchema.migrations

    /// Recorded sales and order commands in; stock and order events out.
    static let topology = Topology(
        exchanges: [Exchanges.salesEvents, Exchanges.stockEvents, Exchanges.ordersEvents, Exchanges.ordersCommands])
        .merging(.consumingQueue(Queues.ordersSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
        .merging(.consumingQueue(Queues.ordersCommands, bindings: [(Exchanges.ordersCommands.name, RoutingKeys.allOrderCommands)]))
}
