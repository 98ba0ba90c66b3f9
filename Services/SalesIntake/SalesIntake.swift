import AMQPClient
import Contracts
import SaleValidation
import PostgresClient
import ServiceRuntime

/// Sales intake: validates POS sales, records each once, and announces it as `sale.recorded`.
enum SalesIntake {
    static let statistics = IntakeStatistics()

    static let definition = definition(partitioning: IntakePartitioning())

    static func definition(partitioning: IntakePartitioning, limits: SaleLimits = SaleLimits()) -> ServiceDefinition {
        let topology = partitioning.topology
        return ServiceDefinition(
            name: "sales-intake", defaultHTTPPort: 8081, schema: "sales", migrations: SalesStore.migrations, topology: topology,
            consumers: { context in
                let recorder = SaleRecorder(
                    database: context.database, publisher: context.publisher, validator: SaleValidator(limits: limits), statistics: statistics,
                    logger: context.logger)
                return partitioning.queues.enumerated().map { index, queue in
                    context.consumer(
                        "sales-intake-\(queue)", settings: partitioning.settings(for: queue, index: index, context), topology: topology,
                        handler: recorder.handle)
                }
            },
            routes: { router, context in
                SalesRoutes.add(to: router, database: context.database, statistics: statistics)
            },
            // Bigger batches than the other services': a batch's announcements go one message per store, so the
            // bigger the batch, the more sales each message carries and the less the broker spends per sale (the
            // measurements are in BENCHMARKS.md). Under a light load a batch is what arrives within the batch wait,
            // whatever the size. Three batches in flight rather than two: one is validated while another is written
            // and a third awaits its confirms.
            consumerDefaults: .init(prefetch: 6000, batchSize: 2000, concurrentBatches: 3), access: SalesAccess.policy)
    }

    static let topology = IntakePartitioning().topology
}
