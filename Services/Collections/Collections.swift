import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Collections: receivables from invoices paid on account, payments, aging and dunning.
enum Collections {
    static let definition = ServiceDefinition(
        name: "collections", defaultHTTPPort: 8084, schema: "collections", migrations: migrations, topology: topology)

    static let migrations: [Migration] = [CommonMigrations.handledMessages]

    /// Issued invoices and credit notes in; receivable events out.
    static let topology = Topology(exchanges: [Exchanges.billingEvents, Exchanges.collectionsEvents])
        .merging(
            .consumingQueue(
                Queues.collectionsInvoiceIssued,
                bindings: [
                    (Exchanges.billingEvents.name, RoutingKeys.allInvoicesIssued),
                    (Exchanges.billingEvents.name, RoutingKeys.allCreditNotesIssued),
                ]))
}
