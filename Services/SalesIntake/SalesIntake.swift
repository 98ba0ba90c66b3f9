import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Sales intake: validates POS sales, records each once, and announces it as `sale.recorded`.
enum SalesIntake {
    static let statistics = IntakeStatistics()

    static let definition = ServiceDefinition(
        name: "sales-intake", defaultHTTPPort: 8081, schema: "sales", migrations: SalesStore.migrations, topology: topology,
        consumers: { context in
            let recorder = SaleRecorder(
                database: context.database, publisher: context.publisher, validator: SaleValidator(), statistics: statistics,
                logger: context.logger)
            return [
                AMQPConsumer(
                    configuration: context.configuration.amqp.named("sales-intake-consumer"),
                    settings: context.consumerSettings(queue: Queues.intakePOSSales), topology: topology, logger: context.logger,
                    handler: recorder.handle)
            ]
        },
        routes: { router, context in
            SalesRoutes.add(to: router, database: context.database, statistics: statistics)
        })

    /// POS sales in; recorded sales out.
    static let topology = Topology(exchanges: [Exchanges.pos, Exchanges.salesEvents])
        .merging(.consumingQueue(Queues.intakePOSSales, bindings: [(Exchanges.pos.name, RoutingKeys.allSales)]))
}
