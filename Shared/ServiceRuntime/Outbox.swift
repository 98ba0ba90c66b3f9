import AMQPClient
import Foundation
import Logging
import PostgresClient
import ServiceLifecycle

/// A transactional outbox: events caused by an HTTP command or a timer are written in the same transaction as the
/// change they announce, and ``OutboxRelay`` publishes them afterwards with confirms. A crash between the commit and
/// the publish loses nothing: the rows wait until a relay runs again.
package enum Outbox {
    /// The `outbox` table, as migration `version` of a service's schema.
    package static func migration(_ version: Int) -> Migration {
        Migration(
            version, "transactional outbox",
            """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                exchange text NOT NULL,
                routing_key text NOT NULL,
                type text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                claimed_until timestamptz
            )
            """)
    }

    /// The trace context column (see ``TraceContext``), as migration `version`, after ``migration(_:)``.
    package static func traceMigration(_ version: Int) -> Migration {
        Migration(version, "trace context in the outbox", "ALTER TABLE outbox ADD COLUMN traceparent text")
    }

    /// Adds one event to the outbox, in the caller's transaction; `traceparent` is the trace of what caused it.
    package static func add(
        exchange: String, routingKey: String, type: String, body: String, traceparent: String? = nil, on connection: PostgresConnection
    ) throws {
        try connection.query(
            "INSERT INTO outbox (exchange, routing_key, type, body, traceparent) VALUES ($1, $2, $3, $4, $5)",
            [exchange, routingKey, type, body, TraceContext.child(of: traceparent)])
    }

    /// Adds `event` as JSON.
    package static func add<Event: Encodable>(
        _ event: Event, exchange: String, routingKey: String, type: String, traceparent: String? = nil, on connection: PostgresConnection
    ) throws {
        let body = try JSONEncoder().encode(event)
        try add(
            exchange: exchange, routingKey: routingKey, type: type, body: String(decoding: body, as: UTF8.self), traceparent: traceparent,
            on: connection)
    }
}

/// Publishes what the outbox holds, oldest first, and deletes each row once the broker has confirmed it.
///
/// Replicas share the table: each claims a batch of rows for a short lease (`FOR UPDATE SKIP LOCKED`), publishes,
/// then deletes them. A relay that dies holding a lease leaves its rows to the others when the lease runs out; a
/// row published just before such a death is published again (its `message_id`, `outbox-<id>`, lets a consumer tell).
package struct OutboxRelay: Service {
    let database: Database
    let publisher: AMQPPublisher
    let logger: Logger
    let batchSize: Int
    let idleWait: Duration
    let lease: Duration

    package init(
        database: Database, publisher: AMQPPublisher, logger: Logger, batchSize: Int = 500, idleWait: Duration = .milliseconds(50),
        lease: Duration = .seconds(5)
    ) {
        self.database = database
        self.publisher = publisher
        self.logger = logger
        self.batchSize = batchSize
        self.idleWait = idleWait
        self.lease = lease
    }

    package func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let relayed = try await relayOnce()
                failures = 0
                if relayed == 0 { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: idleWait) } }
            } catch {
                failures += 1
                logger.warning("Outbox relay failed; will try again", metadata: ["error": .string("\(error)")])
                let delay = min(Duration.milliseconds(100) * (1 << min(failures, 6)), .seconds(5))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
    }

    /// Claims, publishes and deletes one batch; returns how many rows it relayed.
    @discardableResult
    package func relayOnce() async throws -> Int {
        // Claimed rows wait for the broker under their lease; while it is away, claim none.
        guard publisher.isConnected else { return 0 }
        let milliseconds = lease.wholeMilliseconds
        let limit = batchSize
        let rows = try await database.query(
            """
            UPDATE outbox SET claimed_until = now() + $2 * interval '1 millisecond'
            WHERE id IN (
                SELECT id FROM outbox WHERE claimed_until IS NULL OR claimed_until < now()
                ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING id, exchange, routing_key, type, body, traceparent
            """, [limit, milliseconds])
        guard !rows.isEmpty else { return 0 }
        var ids: [Int64] = []
        var messages: [OutgoingMessage] = []
        for row in rows.sorted(by: { (try? $0.decode(Int64.self, at: 0)) ?? 0 < (try? $1.decode(Int64.self, at: 0)) ?? 0 }) {
            let id: Int64 = try row.decode(at: 0)
            ids.append(id)
            messages.append(
                OutgoingMessage(
                    exchange: try row.decode(at: 1), routingKey: try row.decode(at: 2), body: Array(try row.decode(String.self, at: 4).utf8),
                    properties: MessageProperties(type: try row.decode(at: 3), messageId: "outbox-\(id)").tracing(try row.decodeIfPresent(String.self, at: 5))))
        }
        try await publisher.publish(messages)
        try await database.query(
            "DELETE FROM outbox WHERE id = ANY($1::bigint[])", [PostgresArrays.bigint(ids)])
        return ids.count
    }
}
