import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Collections: receivables from invoices paid on account (closed again when billing cancels one), payments, aging,
/// dunning and write-offs; till sessions and their Z reports.
enum Collections {
    /// The documents this replica has read from billing's messages since it started (`GET /stats`).
    static let documentsActivity = BatchActivity()

    static let definition = definition(settings: CollectionsSettings())

    static func definition(settings: CollectionsSettings) -> ServiceDefinition {
        ServiceDefinition(
            name: "collections", defaultHTTPPort: 8084, schema: "collections", migrations: migrations, topology: topology,
            consumers: { context in
                [
                    context.consumer(
                        "collections-invoices", queue: Queues.collectionsInvoiceIssued, splitter: InvoicesIssuedV1.split, topology: topology,
                        handler: ReceivableOpener(
                            database: context.database, settle: settings.tillSettle, activity: documentsActivity, logger: context.logger,
                            everyTerminalKeepsTill: settings.everyTerminalKeepsTill
                        ).handle),
                    context.consumer(
                        "collections-cancellations", queue: Queues.collectionsInvoiceCancelled, topology: topology,
                        handler: CancellationRecorder(database: context.database).handle),
                    context.consumer(
                        "collections-payments", queue: Queues.collectionsPayments, topology: topology,
                        handler: PaymentRecorder(database: context.database).handle),
                    context.consumer(
                        "collections-tills", queue: Queues.collectionsTills, topology: topology,
                        handler: TillEventConsumer(database: context.database, settle: settings.tillSettle).handle),
                ]
            },
            routes: { router, context in
                CollectionsRoutes.add(to: router, database: context.database, settings: settings, documentsActivity: documentsActivity)
            },
            // billing's documents come a store's batch to a message (twenty to fifty documents, 1–2 kB each), and the
            // prefetch counts messages: at 1,000 the broker could park 90 MB of documents in the process.
            consumerDefaults: .init(prefetch: 200, batchSize: 50),
            hasOutbox: true,
            background: { context in
                [
                    Dunning(database: context.database, interval: settings.dunningInterval, logger: context.logger),
                    TillReporter(database: context.database, settle: settings.tillSettle, logger: context.logger),
                ]
            }, access: CollectionsAccess.policy)
    }

    static let migrations = CollectionsSchema.migrations

    /// Issued and cancelled invoices and credit notes, payments and the tills' events in; receivable and till events out.
    static let topology = Topology(exchanges: [Exchanges.billingEvents, Exchanges.collectionsEvents, Exchanges.collectionsCommands, Exchanges.pos])
        .merging(
            .consumingQueue(
                Queues.collectionsInvoiceIssued,
                bindings: [(Exchanges.billingEvents.name, RoutingKeys.allInvoiceBatches)]))
        .merging(
            .consumingQueue(
                Queues.collectionsInvoiceCancelled, bindings: [(Exchanges.billingEvents.name, RoutingKeys.allInvoiceCancellations)]))
        .merging(.consumingQueue(Queues.collectionsPayments, bindings: [(Exchanges.collectionsCommands.name, RoutingKeys.allPayments)]))
        .merging(.consumingQueue(Queues.collectionsTills, bindings: [(Exchanges.pos.name, RoutingKeys.allTillEvents)]))
}
