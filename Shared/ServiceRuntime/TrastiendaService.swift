import AMQPClient
import CAllocator
import Foundation
import Hummingbird
import JWTKit
import Logging
import PostgresClient
import ServiceLifecycle
import UnixSignals

/// What a service is made of; its executable hands one of these to ``TrastiendaService/main(_:)``.
package struct ServiceDefinition: Sendable {
    /// The executable's name, for example `billing`.
    package var name: String
    package var defaultHTTPPort: Int
    /// The PostgreSQL schema it owns.
    package var schema: String
    package var migrations: [Migration]
    /// The exchanges, queues and bindings it publishes to and consumes from.
    package var topology: Topology
    /// Its consumers, built once the schema is migrated.
    package var consumers: @Sendable (ServiceContext) -> [AMQPConsumer]
    /// Its own HTTP routes.
    package var routes: @Sendable (Router<BasicRequestContext>, ServiceContext) -> Void
    /// Prefetch and batch size for its consumers unless configured otherwise.
    package var consumerDefaults: ServiceConfiguration.ConsumerDefaults
    /// Whether it keeps a transactional outbox (see ``Outbox``): then an ``OutboxRelay`` runs beside its consumers.
    package var hasOutbox: Bool
    /// Its other long-running parts (a scheduler, say), started beside the consumers once the schema is migrated.
    package var background: @Sendable (ServiceContext) -> [any Service]
    /// Who may call which of its routes.
    package var access: AccessPolicy
    /// Whether its routes take the services' bearer tokens (checked against ``access``, and documented by it), or
    /// it signs people in itself (the console): then only `/health/*` and `/metrics` are the runtime's.
    package var signsInItself = false

    package init(
        name: String, defaultHTTPPort: Int, schema: String, migrations: [Migration], topology: Topology,
        consumers: @escaping @Sendable (ServiceContext) -> [AMQPConsumer] = { _ in [] },
        routes: @escaping @Sendable (Router<BasicRequestContext>, ServiceContext) -> Void = { _, _ in },
        consumerDefaults: ServiceConfiguration.ConsumerDefaults = .init(), hasOutbox: Bool = false,
        background: @escaping @Sendable (ServiceContext) -> [any Service] = { _ in [] }, access: AccessPolicy = AccessPolicy([])
    ) {
        self.access = access
        self.background = background
        self.consumerDefaults = consumerDefaults
        self.hasOutbox = hasOutbox
        self.name = name
        self.defaultHTTPPort = defaultHTTPPort
        self.schema = schema
        self.migrations = migrations
        self.topology = topology
        self.consumers = consumers
        self.routes = routes
    }
}

/// What a service's consumers and routes work with.
package struct ServiceContext: Sendable {
    package let configuration: ServiceConfiguration
    package let database: Database
    package let publisher: AMQPPublisher
    package let logger: Logger

    /// A consumer of `queue` with the service's settings, on a connection of its own named `connection` (in the
    /// broker's list and the logs), declaring `topology` on every connection.
    package func consumer(
        _ connection: String, queue: String, splitter: MessageSplitter? = nil, topology: Topology,
        handler: @escaping BatchHandler
    ) -> AMQPConsumer {
        consumer(connection, settings: consumerSettings(queue: queue, splitter: splitter), topology: topology, handler: handler)
    }

    /// A consumer with `settings` of its own (see ``consumerSettings(queue:splitter:)``).
    package func consumer(
        _ connection: String, settings: ConsumerSettings, topology: Topology, handler: @escaping BatchHandler
    ) -> AMQPConsumer {
        AMQPConsumer(configuration: configuration.amqp.named(connection), settings: settings, topology: topology, logger: logger, handler: handler)
    }

    /// Consumer settings for `queue` from the service's configuration; a message that carries many items is cut
    /// into parts with `splitter` when one of them fails (``RecordedSales/split`` for `sale.recorded`).
    package func consumerSettings(queue: String, splitter: MessageSplitter? = nil) -> ConsumerSettings {
        var settings = ConsumerSettings(
            queue: queue, prefetch: configuration.prefetch, batchSize: configuration.batchSize, batchWait: configuration.batchWait,
            concurrentBatches: configuration.concurrentBatches)
        settings.failureClassifier = HandlerFailure.classifyServiceError
        settings.messageSplitter = splitter
        return settings
    }
}

/// The standard life of a Trastienda service.
///
/// Clients start first, then the HTTP server (health and metrics answer from the start), then the part that
/// migrates the schema and runs the consumers. On SIGTERM or SIGINT the group stops in reverse: consumers stop
/// taking messages, finish and acknowledge their batch; the HTTP server stops; the clients close last.
package enum TrastiendaService {
    /// Runs the service `make` defines once it has read its own settings: a setting that cannot be used ends the
    /// process with its reason (exit 2), as the common settings do.
    package static func main(_ name: String, _ make: () throws -> ServiceDefinition) async {
        let definition: ServiceDefinition
        do {
            definition = try make()
        } catch {
            configurationFailed(name, error)
        }
        await main(definition)
    }

    static func configurationFailed(_ name: String, _ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(name): configuration error: \(error)\n".utf8))
        exit(2)
    }

    package static func main(_ definition: ServiceDefinition) async {
        // glibc serves blocks over 128 kB with mmap, but raises that threshold to the size of each such block freed:
        // then a batch's buffers (megabytes) come from the heap, which fragments, and a service's peak memory grew
        // with the backlog it drained. Fixed, they are mapped and unmapped (BENCHMARKS.md: the peaks stopped growing,
        // at a cost too small to tell from noise).
        trastienda_fix_mmap_threshold(128 * 1024)
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.load(
                service: definition.name, defaultHTTPPort: definition.defaultHTTPPort, consumerDefaults: definition.consumerDefaults)
        } catch {
            configurationFailed(definition.name, error)
        }
        do {
            try await run(definition, configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("\(definition.name): stopped by an error: \(error)\n".utf8))
            exit(1)
        }
    }

    package static func run(_ definition: ServiceDefinition, configuration: ServiceConfiguration) async throws {
        let registry = Observability.bootstrap(level: configuration.logLevel)
        var logger = Logger(label: definition.name)
        logger.logLevel = configuration.logLevel

        let database = Database(
            .init(url: configuration.databaseURL, searchPath: definition.schema, poolSize: configuration.databasePoolSize),
            logger: logger)
        var amqp = configuration.amqp
        amqp.connectionName = "\(definition.name)-publisher"
        let publisher = AMQPPublisher(configuration: amqp, topology: definition.topology, logger: logger)
        let context = ServiceContext(configuration: configuration, database: database, publisher: publisher, logger: logger)

        let readiness = Readiness()
        let migrated = Flag()
        let work = MigrateThenConsume(definition: definition, context: context, migrated: migrated, readiness: readiness)
        readiness.add("database") { database.isConnected }
        readiness.add("broker") { publisher.isConnected }
        readiness.add("migrations") { migrated.isRaised }

        let router = Router()
        let keys = JWTKeyCollection()
        await keys.add(eddsa: try EdDSA.PublicKey(x: configuration.authPublicKey, curve: .ed25519))
        router.add(middleware: ErrorMiddleware(logger: logger))
        if definition.signsInItself {
            // Its routes add its sign-in middleware first, which then guards the metrics too.
            definition.routes(router, context)
            OperationsRoutes.add(to: router, service: definition.name, readiness: readiness, registry: registry)
        } else {
            router.add(middleware: AccessMiddleware(keys: keys, policy: definition.access, database: database, logger: logger))
            OperationsRoutes.add(to: router, service: definition.name, readiness: readiness, registry: registry)
            AuditTrail.addRoute(to: router, database: database)
            OpenAPIRoutes.add(to: router, document: OpenAPIDocument.make(service: definition.name, policy: definition.access))
            definition.routes(router, context)
            try OpenAPIRoutes.check(router, against: definition.access)
        }
        let http = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: definition.name),
            logger: logger)

        logger.info(
            "Starting",
            metadata: [
                "http.port": .stringConvertible(configuration.httpPort), "db.schema": .string(definition.schema),
                "amqp.url": .string(AMQPConfiguration.redacted(configuration.amqpURL)),
            ])
        let services: [any Service] = [database, publisher, http, work] + (ParentWatch.isWanted ? [ParentWatch(logger: logger)] : [])
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Every part stops within a few seconds of SIGTERM (a container platform kills at 10 s): one that has not
        // after 4 s is cancelled, and one that ignores cancellation too ends the process.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(4)
        groupConfiguration.maximumCancellationDuration = configuration.cancellationLimit
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        logger.info("Stopped")
    }
}

/// Applies the schema's migrations (retrying while the database is unreachable), then runs the consumers until
/// graceful shutdown.
struct MigrateThenConsume: Service {
    let definition: ServiceDefinition
    let context: ServiceContext
    let migrated: Flag
    let readiness: Readiness

    func run() async throws {
        var delay = Duration.milliseconds(200)
        var done = false
        while !done {
            do {
                try await context.database.migrate(schema: definition.schema, definition.migrations + [AuditTrail.migration], logger: context.logger)
                done = true
            } catch let error as PostgresError where error.code == .connectionFailed {
                context.logger.warning("Database unreachable; will migrate when it answers", metadata: ["error": .string("\(error)")])
                let wait = delay
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                delay = min(delay * 2, .seconds(5))
            }
            if Task.isShuttingDownGracefully { return }
        }
        let consumers = definition.consumers(context)
        for consumer in consumers {
            readiness.add("consumer \(consumer.settings.queue)") { consumer.isConnected }
        }
        // Only now: a service that said it was ready before its consumers' checks existed would be called ready while
        // its queues were not yet declared, and a message published at that moment would be routed nowhere.
        migrated.raise()
        try await withThrowingDiscardingTaskGroup { group in
            for consumer in consumers {
                group.addTask { try await consumer.run() }
            }
            if definition.hasOutbox {
                let relay = OutboxRelay(database: context.database, publisher: context.publisher, logger: context.logger)
                group.addTask { try await relay.run() }
            }
            let background = definition.background(context)
            for service in background {
                group.addTask { try await service.run() }
            }
            if consumers.isEmpty && !definition.hasOutbox && background.isEmpty { try? await gracefulShutdown() }
        }
    }
}
