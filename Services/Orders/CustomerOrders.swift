import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Customer orders: registered (their lines reserve stock), then confirmed, picked, shipped (the stock leaves) and
/// delivered, or cancelled (the reservation is released); incidents recorded against them. Every step is written to
/// the order's history and announced on `orders.events` through the outbox, in one transaction.
enum CustomerOrders {
    enum Status: String, Sendable, CaseIterable {
        case registered, confirmed, picked, shipped, delivered, cancelled

        var next: [Status] {
            switch self {
            case .registered: [.confirmed, .cancelled]
            case .confirmed: [.picked, .cancelled]
            case .picked: [.shipped, .cancelled]
            case .shipped: [.delivered]
            case .delivered, .cancelled: []
            }
        }
    }

    static let incidentKinds: Set<String> = ["failed_delivery", "damaged_goods", "short_pick"]

    /// Checks a registration before anything is written.
    static func validate(_ order: RegisterOrderV1) throws(Refusal) {
        guard OperationsRoutes.isIdentifier(order.orderId) else {
            throw Refusal(.invalid, "orderId must be 1–48 letters, digits, '-' or '_'")
        }
        guard OperationsRoutes.isIdentifier(order.storeId) else {
            throw Refusal(.invalid, "storeId must be 1–48 letters, digits, '-' or '_'")
        }
        guard !order.lines.isEmpty, order.lines.count <= 200 else { throw Refusal(.invalid, "an order has 1–200 lines") }
        for (index, line) in order.lines.enumerated() {
            guard OperationsRoutes.isIdentifier(line.sku) else {
                throw Refusal(.invalid, "lines[\(index)].sku must be 1–48 letters, digits, '-' or '_'")
            }
            guard (1...100_000).contains(line.quantity) else {
                throw Refusal(.invalid, "lines[\(index)].quantity must be 1–100000")
            }
        }
    }

    /// Registers `order` and reserves its lines; registering the same order id again changes nothing. Returns
    /// whether it was new.
    @discardableResult
    static func register(_ order: RegisterOrderV1, on connection: PostgresConnection) throws -> Bool {
        let customer = String(decoding: try JSONEncoder().encode(order.customer), as: UTF8.self)
        guard !(try connection.query(
            "INSERT INTO orders (id, store_id, customer, status) VALUES ($1, $2, $3::jsonb, 'registered') ON CONFLICT (id) DO NOTHING RETURNING id",
            [order.orderId, order.storeId, customer]
        ).isEmpty) else { return false }
        for (index, line) in order.lines.enumerated() {
            try connection.query(
                "INSERT INTO order_lines (order_id, line, sku, quantity) VALUES ($1, $2, $3, $4)",
                [order.orderId, index + 1, line.sku, line.quantity])
        }
        try StockLedger.apply(
            order.lines.map {
                StockMovement(
                    storeId: order.storeId, sku: $0.sku, kind: .reservation, onHandChange: 0, reservedChange: $0.quantity,
                    reference: order.orderId)
            }, on: connection)
        try record(order.orderId, store: order.storeId, event: "registered", status: .registered, note: nil, on: connection)
        return true
    }

    /// Moves an order to `target`, if its status allows it.
    static func transition(_ orderId: String, to target: Status, note: String?, on connection: PostgresConnection) throws {
        let (store, status) = try lock(orderId, on: connection)
        guard status.next.contains(target) else {
            let possible = status.next.map(\.rawValue)
            throw Refusal(
                .conflict,
                "order \(orderId) is \(status.rawValue) and cannot become \(target.rawValue); "
                    + (possible.isEmpty ? "it can change no more" : "it can become \(possible.joined(separator: " or "))"))
        }
        let lines = try connection.query("SELECT sku, quantity FROM order_lines WHERE order_id = $1 ORDER BY line", [orderId])
            .map { (sku: try $0.decode(String.self, at: 0), quantity: try $0.decode(Int64.self, at: 1)) }
        switch target {
        case .cancelled:
            try StockLedger.apply(
                lines.map {
                    StockMovement(storeId: store, sku: $0.sku, kind: .release, onHandChange: 0, reservedChange: -$0.quantity, reference: orderId)
                }, on: connection)
        case .shipped:
            try StockLedger.apply(
                lines.map {
                    StockMovement(
                        storeId: store, sku: $0.sku, kind: .shipment, onHandChange: -$0.quantity, reservedChange: -$0.quantity,
                        reference: orderId)
                }, on: connection)
        default:
            break
        }
        try connection.query("UPDATE orders SET status = $2, updated_at = now() WHERE id = $1", [orderId, target.rawValue])
        try record(orderId, store: store, event: target.rawValue, status: target, note: note, on: connection)
    }

    /// Records an incident (a failed delivery, damaged goods, a short pick) against an order, whatever its status.
    static func incident(_ orderId: String, kind: String, note: String, on connection: PostgresConnection) throws {
        guard incidentKinds.contains(kind) else {
            throw Refusal(.invalid, "kind must be one of \(incidentKinds.sorted().joined(separator: ", "))")
        }
        let (store, status) = try lock(orderId, on: connection)
        try record(orderId, store: store, event: "incident", status: status, note: "\(kind): \(note)", on: connection)
    }

    private static func lock(_ orderId: String, on connection: PostgresConnection) throws -> (store: String, status: Status) {
        guard let row = try connection.query("SELECT store_id, status FROM orders WHERE id = $1 FOR UPDATE", [orderId]).first,
            let status = Status(rawValue: try row.decode(at: 1))
        else { throw Refusal(.notFound, "no order \(orderId)") }
        return (try row.decode(at: 0), status)
    }

    private static func record(
        _ orderId: String, store: String, event: String, status: Status, note: String?, on connection: PostgresConnection
    ) throws {
        let at: String = try connection.query(
            """
            INSERT INTO order_history (order_id, event, status, note) VALUES ($1, $2, $3, $4)
            RETURNING to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            """, [orderId, event, status.rawValue, note])[0].decode(at: 0)
        let announcement = OrderEventV1(orderId: orderId, storeId: store, event: event, status: status.rawValue, note: note, at: at)
        try Outbox.add(
            announcement, exchange: Exchanges.ordersEvents.name, routingKey: announcement.routingKey, type: OrderEventV1.messageType,
            on: connection)
    }

    /// One order as JSON, with its lines and its history (incidents included), or nil.
    static func document(_ orderId: String, database: Database) async throws -> String? {
        try await database.query(
            """
            SELECT json_build_object(
                'orderId', o.id, 'storeId', o.store_id, 'customer', o.customer, 'status', o.status,
                'createdAt', o.created_at, 'updatedAt', o.updated_at,
                'next', (SELECT coalesce(json_agg(n), '[]') FROM unnest($2::text[]) n),
                'lines', (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.line), '[]')
                          FROM order_lines l WHERE l.order_id = o.id),
                'history', (SELECT coalesce(json_agg(json_build_object('event', h.event, 'status', h.status, 'note', h.note, 'at', h.at)
                            ORDER BY h.id), '[]') FROM order_history h WHERE h.order_id = o.id),
                'incidents', (SELECT coalesce(json_agg(json_build_object('note', h.note, 'at', h.at) ORDER BY h.id), '[]')
                              FROM order_history h WHERE h.order_id = o.id AND h.event = 'incident'))::text
            FROM orders o WHERE o.id = $1
            """, [orderId, PostgresArrays.text(try await nextStatuses(orderId, database: database))]
        ).first?.decode(String.self, at: 0)
    }

    private static func nextStatuses(_ orderId: String, database: Database) async throws -> [String] {
        guard let status = try await database.query("SELECT status FROM orders WHERE id = $1", [orderId]).first,
            let current = Status(rawValue: try status.decode(at: 0))
        else { return [] }
        return current.next.map(\.rawValue)
    }
}
