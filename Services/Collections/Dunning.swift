import AMQPClient
import Foundation
import Contracts
import Logging
import PostgresClient
import ServiceLifecycle
import ServiceRuntime

/// Follows up what is late: on every tick, on collections' clock, each open receivable that is past due is announced
/// overdue once (`receivable.overdue`), and each dunning level it has reached is raised once (`dunning.reminder`,
/// with the level's message filled in). Replicas take turns under an advisory lock, and each notice is a row keyed
/// by receivable and level, so a level is raised once however many replicas run and however often they restart.
struct Dunning: Service {
    let database: Database
    let interval: Duration
    let logger: Logger

    struct Level: Sendable, Codable, Equatable {
        var level: Int64
        var daysOverdue: Int64
        var name: String
        var template: String
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await database.transaction { connection in _ = try Self.tick(on: connection) }
            } catch {
                logger.warning("Dunning run failed; will try again", metadata: ["error": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }  // a stop never waits out a tick
        }
    }

    /// One run, in the caller's transaction; returns how many notices it raised (nil when another replica holds the
    /// turn).
    static func tick(on connection: PostgresConnection) throws -> Int? {
        guard try connection.query("SELECT pg_try_advisory_xact_lock(hashtext('collections.dunning'))")[0].decode(Bool.self, at: 0) else {
            return nil
        }
        let today = CollectionsClock.todaySQL
        for row in try connection.query(
            """
            UPDATE receivables SET overdue_announced = true
            WHERE status = 'open' AND due_date < \(today) AND NOT overdue_announced
            RETURNING \(Receivables.columns)
            """)
        {
            try Receivables.announce("overdue", try Receivables.receivable(row), on: connection)
        }
        var raised = 0
        for level in try levels(on: connection) {
            for row in try connection.query(
                """
                SELECT r.id, r.invoice_number, r.customer_tax_id, coalesce(c.name, r.customer_tax_id), r.amount_cents - r.paid_cents,
                       to_char(r.due_date, 'YYYY-MM-DD'), \(today) - r.due_date
                FROM receivables r JOIN customers c ON c.tax_id = r.customer_tax_id
                WHERE r.status = 'open' AND \(today) - r.due_date >= $1
                  AND NOT EXISTS (SELECT 1 FROM dunning_notices n WHERE n.receivable_id = r.id AND n.level = $2)
                ORDER BY r.id
                """, [level.daysOverdue, level.level])
            {
                let reminder = DunningReminderV1(
                    receivableId: try row.decode(at: 0), invoiceNumber: try row.decode(at: 1), customerTaxId: try row.decode(at: 2),
                    level: level.level, name: level.name, daysOverdue: try row.decode(at: 6), outstandingCents: try row.decode(at: 4),
                    message: "")
                var filled = reminder
                filled.message = render(
                    level.template, customer: try row.decode(at: 3), invoice: reminder.invoiceNumber, outstandingCents: reminder.outstandingCents,
                    due: try row.decode(at: 5), days: reminder.daysOverdue)
                guard try !connection.query(
                    """
                    INSERT INTO dunning_notices (receivable_id, level, name, raised_on, message) VALUES ($1, $2, $3, \(today), $4)
                    ON CONFLICT DO NOTHING RETURNING level
                    """, [filled.receivableId, level.level, level.name, filled.message]
                ).isEmpty else { continue }
                try Outbox.add(
                    filled, exchange: Exchanges.collectionsEvents.name, routingKey: DunningReminderV1.routingKey,
                    type: DunningReminderV1.messageType, on: connection)
                raised += 1
            }
        }
        return raised
    }

    static func levels(on connection: PostgresConnection) throws -> [Level] {
        try connection.query("SELECT level, days_overdue, name, template FROM dunning_levels ORDER BY level").map {
            Level(level: try $0.decode(at: 0), daysOverdue: try $0.decode(at: 1), name: try $0.decode(at: 2), template: try $0.decode(at: 3))
        }
    }

    /// Replaces the levels (checked: ``checked(_:)``).
    static func replaceLevels(_ levels: [Level], on connection: PostgresConnection) throws {
        try connection.query("DELETE FROM dunning_levels")
        for level in try checked(levels) {
            try connection.query(
                "INSERT INTO dunning_levels (level, days_overdue, name, template) VALUES ($1, $2, $3, $4)",
                [level.level, level.daysOverdue, level.name, level.template])
        }
    }

    static let levelsRule = "the body must be a list of 1–10 levels, each with level, daysOverdue (≥ 1, all different), name and template"

    /// Levels as they are kept: 1–10 of them, each at least one day overdue and at a different day, with a name and a
    /// template of at most 2,000 characters, numbered 1… in the order of their days overdue (whatever numbers they came with).
    static func checked(_ levels: [Level]) throws(Refusal) -> [Level] {
        guard (1...10).contains(levels.count), Set(levels.map(\.daysOverdue)).count == levels.count,
            levels.allSatisfy({ $0.daysOverdue >= 1 && !$0.name.isEmpty && !$0.template.isEmpty && $0.template.count <= 2000 })
        else {
            throw Refusal(.invalid, levelsRule)
        }
        return levels.sorted(by: { $0.daysOverdue < $1.daysOverdue }).enumerated().map { index, level in
            var numbered = level
            numbered.level = Int64(index + 1)
            return numbered
        }
    }

    /// A level's message with `{customer}`, `{invoice}`, `{outstanding}` (euros), `{due}` and `{days}` filled in.
    static func render(_ template: String, customer: String, invoice: String, outstandingCents: Int64, due: String, days: Int64) -> String {
        let euros = Money.decimal(outstandingCents)
        return template.replacingOccurrences(of: "{customer}", with: customer).replacingOccurrences(of: "{invoice}", with: invoice)
            .replacingOccurrences(of: "{outstanding}", with: euros).replacingOccurrences(of: "{due}", with: due)
            .replacingOccurrences(of: "{days}", with: String(days))
    }
}
