import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Sales intake: validates POS sales, records each once, and announces it as `sale.recorded`.
enum SalesIntake {
    static let definition = ServiceDefinition(
        name: "sales-intake", defaultHTTPPort: 8081, schema: "sales", migrations: migrations, topology: topology)

    static let migrations: [Migration] = [CommonMigrations.handledMessages]

    /// POS sales in; recorded sales out.
    static let topology = Topology(exchanges: [Exchanges.pos, Exchanges.salesEvents])
        .merging(.consumingQueue(Queues.intakePOSSales, bindings: [(Exchanges.pos.name, RoutingKeys.allSales)]))
}
