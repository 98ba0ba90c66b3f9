import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// HR: staff and their store assignments, shifts from the tills, sales per employee, announcements to the stores.
enum HR {
    /// The sales this replica has credited to their cashiers since it started (`GET /stats`).
    static let salesActivity = BatchActivity()

    static let definition = ServiceDefinition(
        name: "hr", defaultHTTPPort: 8085, schema: "hr", migrations: migrations, topology: topology,
        consumers: { context in
            [
                context.consumer(
                    "hr-sales", queue: Queues.hrSaleRecorded, splitter: RecordedSales.split, topology: topology,
                    handler: EmployeeSales(database: context.database, activity: salesActivity).handle),
                context.consumer(
                    "hr-tills", queue: Queues.hrShifts, topology: topology, handler: TillEvents(database: context.database).handle),
            ]
        },
        routes: { router, context in HRRoutes.add(to: router, database: context.database, salesActivity: salesActivity) },
        consumerDefaults: .recordedSales, hasOutbox: true, access: HRAccess.policy)

    static let migrations = HRSchema.migrations

    /// Recorded sales and the tills' shift and read events in; staff events and announcements out.
    static let topology = Topology(exchanges: [Exchanges.pos, Exchanges.salesEvents, Exchanges.hrEvents])
        .merging(.consumingQueue(Queues.hrSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
        .merging(
            .consumingQueue(
                Queues.hrShifts,
                bindings: [(Exchanges.pos.name, RoutingKeys.allShiftEvents), (Exchanges.pos.name, RoutingKeys.allAnnouncementReads)]))
}
