import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Billing: turns recorded sales into invoices and credit notes, numbered and chained, for integrators.
enum Billing {
    static let definition = definition(fiscal: FiscalSettings(), agency: AgencySettings())
    /// Billing that also announces every document in a message of its own (see ``AnnouncementSettings``).
    static let definitionWithPerInvoiceEvents = definition(
        fiscal: FiscalSettings(), agency: AgencySettings(), announcements: AnnouncementSettings(perInvoice: true))
    static let statistics = BillingStatistics()

    static func definition(
        fiscal: FiscalSettings, agency: AgencySettings, announcements: AnnouncementSettings = AnnouncementSettings()
    ) -> ServiceDefinition {
        ServiceDefinition(
        name: "billing", defaultHTTPPort: 8082, schema: "billing", migrations: migrations, topology: topology,
        consumers: { context in
            let issuer = InvoiceIssuer(
                database: context.database, publisher: context.publisher, fiscal: fiscal, announcements: announcements,
                statistics: statistics, logger: context.logger)
            return [
                context.consumer("billing-consumer", settings: settings(context), topology: topology, handler: issuer.handle)
            ]
        },
        routes: { router, context in
            BillingRoutes.add(
                to: router, database: context.database, statistics: statistics, fiscal: fiscal, announcements: announcements)
            VerifactuRoutes.add(to: router, status: VerifactuStatus(database: context.database, settings: agency))
        },
        // Transactions of one to four thousand invoices (batches of 100 sale.recorded).
        consumerDefaults: .recordedSales,
        // Cancellations, caused by HTTP, are announced through the outbox.
        hasOutbox: true,
        // Submission to the tax agency (when its endpoint is configured).
        background: { context in [SubmissionWorker(database: context.database, settings: agency, logger: context.logger)] }, access: BillingAccess.policy)
    }

    /// A return that comes before its sale is invoiced (two intake batches announced out of order, say) waits in
    /// the retry queue and is looked at again every 250 ms, for up to 5 minutes, before it is parked.
    private static func settings(_ context: ServiceContext) -> ConsumerSettings {
        var settings = context.consumerSettings(queue: Queues.billingSaleRecorded, splitter: RecordedSales.split)
        settings.retryDelay = .milliseconds(250)
        settings.retryLimit = 1200
        return settings
    }

    static let migrations = BillingStore.migrations + Cancellations.migrations + SubmissionStore.migrations

    /// Recorded sales in; invoices and credit notes out.
    static let topology = Topology(exchanges: [Exchanges.salesEvents, Exchanges.billingEvents])
        .merging(.consumingQueue(Queues.billingSaleRecorded, bindings: [(Exchanges.salesEvents.name, RoutingKeys.allSalesRecorded)]))
}
