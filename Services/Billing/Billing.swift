import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Billing: turns recorded sales into invoices and credit notes, numbered and chained, for integrators.
enum Billing {
    static let definition = definition(fiscal: FiscalSettings())

    static func definition(fiscal: FiscalSettings) -> ServiceDefinition {
        ServiceDefinition(
        name: "billing", defaultHTTPPort: 8082, schema: "billing", migrations: migrations, topology: topology,
        consumers: { context in
            let issuer = InvoiceIssuer(
                database: context.database, publisher: context.publisher, fiscal: fiscal, logger: context.logger)
            return [
                AMQPConsumer(
                    configuration: context.configuration.amqp.named("billing-consumer"),
                    settings: context.consumerSettings(queue: Queues.billingSaleRecorded), topology: topology, logger: context.logger,
                    handler: issuer.handle)
            ]
        },
        routes: { router, context in BillingRoutes.add(to: router, database: context.database) })
    }

    static let migrations = BillingStore.migrations

    /// Recorded sales in; invoices and credit notes out.
    static let topology = Topology(exchanges: [Exchanges.salesEvents, Exchanges.billingEvents])
        .merging(.consumingQueue(Queues.billingSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
}
