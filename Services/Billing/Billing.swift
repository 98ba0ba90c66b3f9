import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Billing: turns recorded sales into invoices and credit notes, numbered and chained, for integrators.
enum Billing {
    static let definition = ServiceDefinition(
        name: "billing", defaultHTTPPort: 8082, schema: "billing", migrations: migrations, topology: topology,
        routes: { router, context in BillingRoutes.add(to: router, database: context.database) })

    static let migrations = BillingStore.migrations

    /// Recorded sales in; invoices and credit notes out.
    static let topology = Topology(exchanges: [Exchanges.salesEvents, Exchanges.billingEvents])
        .merging(.consumingQueue(Queues.billingSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
}
