import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// HR's consumer of `sale.recorded`: each sale counts once for its cashier and day (the till's own date), as a sale or
/// a return, with its amount; one transaction per batch.
struct EmployeeSales: Sendable {
    let database: Database
    let activity: BatchActivity

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        activity.batchStarted()
        let (events, rejections) = try RecordedSales.decode(batch, malformedCode: "hr.malformed_event")
        let toCredit = events.flatMap(\.event.sales)
        let credited = try await database.transaction { connection in try Self.credit(toCredit, on: connection) }
        activity.batchCommitted(handled: credited)
        return rejections
    }

    struct Key: Hashable, Comparable {
        var employee: String
        var day: String
        static func < (a: Key, b: Key) -> Bool { (a.employee, a.day) < (b.employee, b.day) }
    }

    /// Credits the sales not credited before, in the caller's transaction; returns how many it credited.
    @discardableResult
    static func credit(_ sales: [POSSaleV1], on connection: PostgresConnection) throws -> Int {
        guard !sales.isEmpty else { return 0 }
        var uncredited = try RecordedSales.claim(sales, in: "sales_credited", on: connection)
        let credited = uncredited.count
        var totals: [Key: (sales: Int64, returns: Int64, amount: Int64)] = [:]
        var stores = Set<String>()
        for sale in sales where uncredited.remove(sale.saleId) != nil {
            let key = Key(employee: sale.cashierId, day: String(sale.occurredAt.prefix(10)))
            var total = totals[key, default: (0, 0, 0)]
            if sale.returnOf == nil { total.sales += 1 } else { total.returns += 1 }
            total.amount += sale.total
            totals[key] = total
            stores.insert(sale.storeId)
        }
        guard !totals.isEmpty else { return 0 }
        let keys = totals.keys.sorted()
        try connection.query(
            """
            INSERT INTO employee_sales AS e (employee_id, day, sales, returns, amount_cents)
            SELECT k.employee, k.day, k.sales, k.returns, k.amount
            FROM unnest($1::text[], $2::date[], $3::integer[], $4::integer[], $5::bigint[]) AS k(employee, day, sales, returns, amount)
            ORDER BY 1, 2
            ON CONFLICT (employee_id, day) DO UPDATE SET sales = e.sales + excluded.sales, returns = e.returns + excluded.returns,
                amount_cents = e.amount_cents + excluded.amount_cents
            """,
            [
                PostgresArrays.text(keys.map(\.employee)), PostgresArrays.text(keys.map(\.day)),
                PostgresArrays.bigint(keys.map { totals[$0]!.sales }), PostgresArrays.bigint(keys.map { totals[$0]!.returns }),
                PostgresArrays.bigint(keys.map { totals[$0]!.amount }),
            ])
        try connection.query(
            "INSERT INTO stores_seen (store_id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING", [PostgresArrays.text(stores)])
        return credited
    }
}

/// HR's consumer of the tills' own events on `pos`: shifts opened and closed, and announcements read.
struct TillEvents: Sendable {
    let database: Database

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        var work: [(type: String, delivery: Delivery)] = []
        for delivery in batch {
            let type = delivery.properties.type ?? ""
            guard [ShiftEventV1.openedType, ShiftEventV1.closedType, AnnouncementReadV1.messageType].contains(type) else {
                rejections.append(
                    Rejection(
                        deliveryTag: delivery.deliveryTag, code: "hr.unknown_type",
                        reason: "type '\(type)' is not pos.shift.opened.v1, pos.shift.closed.v1 or pos.announcement.read.v1"))
                continue
            }
            work.append((type, delivery))
        }
        var parsed: [(type: String, shift: ShiftEventV1?, read: AnnouncementReadV1?)] = []
        for (type, delivery) in work {
            if type == AnnouncementReadV1.messageType {
                guard
                    let read = delivery.decodeBody(
                        AnnouncementReadV1.self, refusing: "hr.malformed_event", expected: "a pos.announcement.read.v1", into: &rejections)
                else { continue }
                parsed.append((type, nil, read))
            } else {
                guard let shift = delivery.decodeBody(ShiftEventV1.self, refusing: "hr.malformed_event", expected: "a \(type)", into: &rejections)
                else { continue }
                guard !shift.shiftId.isEmpty, shift.at.count >= 19 else {
                    rejections.append(
                        Rejection(deliveryTag: delivery.deliveryTag, code: "hr.malformed_event", reason: "not a \(type): shiftId is empty or at is not a date-time"))
                    continue
                }
                parsed.append((type, shift, nil))
            }
        }
        let events = parsed
        try await database.transaction { connection in
            for event in events {
                if let read = event.read {
                    try Announcements.recordRead(read, on: connection)
                } else if let shift = event.shift {
                    if event.type == ShiftEventV1.openedType { try Shifts.opened(shift, on: connection) } else { try Shifts.closed(shift, on: connection) }
                }
            }
        }
        return rejections
    }
}
