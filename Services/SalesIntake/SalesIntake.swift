import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Sales intake: validates POS sales, records each once, and announces it as `sale.recorded`.
enum SalesIntake {
    static let statistics = IntakeStatistics()

    static let definition = definition(partitioning: IntakePartitioning())

    static func definition(partitioning: IntakePartitioning) -> ServiceDefinition {
        let topology = partitioning.topology
        return ServiceDefinition(
            name: "sales-intake", defaultHTTPPort: 8081, schema: "sales", migrations: SalesStore.migrations, topology: topology,
            consumers: { context in
                let recorder = SaleRecorder(
                    database: context.database, publisher: context.publisher, validator: SaleValidator(), statistics: statistics,
                    logger: context.logger)
                return partitioning.queues.enumerated().map { index, queue in
                    AMQPConsumer(
                        configuration: context.configuration.amqp.named("sales-intake-\(queue)"),
                        settings: partitioning.settings(for: queue, index: index, context), topology: topology, logger: context.logger,
                        handler: recorder.handle)
                }
            },
            routes: { router, context in
                SalesRoutes.add(to: router, database: context.database, statistics: statistics)
            },
            // Bigger batches than the other services': a batch's announcements go one message per store, so a batch of
            // 1,000 sends each store's sales in half as many messages as one of 500 (measured in `make bench`).
            consumerDefaults: .init(prefetch: 2000, batchSize: 1000))
    }

    static let topology = IntakePartitioning().topology
}
