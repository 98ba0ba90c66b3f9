import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Goods sent from one store to another: drafted (by hand, or proposed by a reorder rule that names a store to take
/// from), shipped (the stock leaves the sender and is in transit to the receiver, shown as such in its stock), and
/// received in full or in part (what arrived goes on hand; a difference is a stock incident). Each step is announced
/// on `stock.events` through the outbox, in its transaction.
enum Transfers {
    struct Line: Codable, Sendable, Equatable {
        var sku: String
        var quantity: Int64
    }

    /// Checks a transfer's stores and lines before anything is written.
    static func validate(from: String, to: String, lines: [Line]) throws(Refusal) {
        guard OperationsRoutes.isIdentifier(from), OperationsRoutes.isIdentifier(to) else {
            throw Refusal(.invalid, "fromStore and toStore are 1–48 letters, digits, '-' or '_'")
        }
        guard from != to else { throw Refusal(.invalid, "a transfer goes from one store to another") }
        guard (1...200).contains(lines.count), Set(lines.map(\.sku)).count == lines.count else {
            throw Refusal(.invalid, "a transfer has 1–200 lines, one per SKU")
        }
        for (index, line) in lines.enumerated() {
            guard OperationsRoutes.isIdentifier(line.sku), (1...1_000_000).contains(line.quantity) else {
                throw Refusal(.invalid, "lines[\(index)]: the SKU is 1–48 letters, digits, '-' or '_' and the quantity 1–1000000")
            }
        }
    }

    /// A draft transfer; returns its id.
    @discardableResult
    static func create(
        from: String, to: String, lines: [Line], note: String?, replenishment: Int64? = nil, on connection: PostgresConnection
    ) throws -> Int64 {
        let id: Int64 = try connection.query(
            "INSERT INTO transfers (from_store, to_store, note, replenishment_id) VALUES ($1, $2, $3, $4) RETURNING id",
            [from, to, note, replenishment])[0].decode(at: 0)
        try connection.query(
            "INSERT INTO transfer_lines (transfer_id, sku, quantity) SELECT $1, * FROM unnest($2::text[], $3::bigint[])",
            [id, PostgresArrays.text(lines.map(\.sku)), PostgresArrays.bigint(lines.map(\.quantity))])
        return id
    }

    /// Ships a draft: its stock leaves the sender and is in transit to the receiver.
    static func ship(_ id: Int64, on connection: PostgresConnection) throws {
        let (from, to) = try stores(id, expecting: "draft", on: connection)
        let lines = try self.lines(id, on: connection)
        try connection.query("UPDATE transfers SET status = 'shipped', shipped_at = now() WHERE id = $1", [id])
        try StockLedger.apply(
            lines.map {
                StockMovement(storeId: from, sku: $0.sku, kind: .transferOut, onHandChange: -$0.quantity, reservedChange: 0, reference: "transfer \(id)")
            }, on: connection)
        try StockLedger.moveInTransit(lines.map { (StockKey(storeId: to, sku: $0.sku), $0.quantity) }, on: connection)
        try announce(id, "shipped", from: from, to: to, lines: lines.map { .init(sku: $0.sku, quantity: $0.quantity, received: nil) }, on: connection)
    }

    /// Receives a shipped transfer: `received` by SKU (every line in full where it is not given). What arrived goes on
    /// hand, what was in transit is no longer, and each difference is a stock incident.
    static func receive(_ id: Int64, received: [String: Int64], on connection: PostgresConnection) throws {
        let (from, to) = try stores(id, expecting: "shipped", on: connection)
        let lines = try self.lines(id, on: connection)
        if let unknown = received.keys.first(where: { sku in !lines.contains { $0.sku == sku } }) {
            throw Refusal(.invalid, "transfer \(id) has no line for \(unknown)")
        }
        let arrived = lines.map { (line: $0, received: received[$0.sku] ?? $0.quantity) }
        for (line, count) in arrived {
            try connection.query("UPDATE transfer_lines SET received = $3 WHERE transfer_id = $1 AND sku = $2", [id, line.sku, count])
        }
        try connection.query("UPDATE transfers SET status = 'received', received_at = now() WHERE id = $1", [id])
        try StockLedger.apply(
            arrived.filter { $0.received != 0 }.map {
                StockMovement(storeId: to, sku: $0.line.sku, kind: .transferIn, onHandChange: $0.received, reservedChange: 0, reference: "transfer \(id)")
            }, on: connection)
        try StockLedger.moveInTransit(lines.map { (StockKey(storeId: to, sku: $0.sku), -$0.quantity) }, on: connection)
        let events = arrived.map { TransferEventV1.Line(sku: $0.line.sku, quantity: $0.line.quantity, received: $0.received) }
        let differing = arrived.filter { $0.received != $0.line.quantity }
        for (line, count) in differing {
            try connection.query(
                "INSERT INTO stock_incidents (store_id, sku, reference, expected, received, difference) VALUES ($1, $2, $3, $4, $5, $6)",
                [to, line.sku, "transfer \(id)", line.quantity, count, count - line.quantity])
        }
        try announce(id, "received", from: from, to: to, lines: events, on: connection)
        if !differing.isEmpty {
            try announce(id, "incident", from: from, to: to, lines: events.filter { $0.received != $0.quantity }, on: connection)
        }
        // A transfer the reorder logic proposed closes its replenishment with what arrived.
        try connection.query(
            """
            UPDATE replenishments r SET status = 'received', received_at = now(), received_quantity = l.received
            FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id
            WHERE t.id = $1 AND r.id = t.replenishment_id AND l.sku = r.sku AND r.status = 'open'
            """, [id])
    }

    /// The transfer as JSON, with its lines; nil when there is none.
    static func document(_ id: Int64, on connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT \(json)::text FROM transfers t WHERE t.id = $1", [id]).first?.decode(String.self, at: 0)
    }

    static let statuses = ["draft", "shipped", "received"]

    static let json = """
        json_build_object('id', t.id, 'fromStore', t.from_store, 'toStore', t.to_store, 'status', t.status, 'note', t.note,
            'replenishmentId', t.replenishment_id, 'createdAt', t.created_at, 'shippedAt', t.shipped_at, 'receivedAt', t.received_at,
            'lines', (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'received', l.received) ORDER BY l.sku), '[]')
                      FROM transfer_lines l WHERE l.transfer_id = t.id))
        """

    private static func stores(_ id: Int64, expecting status: String, on connection: PostgresConnection) throws -> (String, String) {
        guard let row = try connection.query("SELECT from_store, to_store, status FROM transfers WHERE id = $1 FOR UPDATE", [id]).first else {
            throw Refusal(.notFound, "no transfer \(id)")
        }
        let current: String = try row.decode(at: 2)
        guard current == status else {
            throw Refusal(.conflict, "transfer \(id) is \(current), not \(status)")
        }
        return (try row.decode(at: 0), try row.decode(at: 1))
    }

    private static func lines(_ id: Int64, on connection: PostgresConnection) throws -> [Line] {
        try connection.query("SELECT sku, quantity FROM transfer_lines WHERE transfer_id = $1 ORDER BY sku", [id]).map {
            Line(sku: try $0.decode(at: 0), quantity: try $0.decode(at: 1))
        }
    }

    private static func announce(
        _ id: Int64, _ event: String, from: String, to: String, lines: [TransferEventV1.Line], on connection: PostgresConnection
    ) throws {
        let message = TransferEventV1(transferId: id, event: event, fromStore: from, toStore: to, lines: lines)
        try Outbox.add(message, exchange: Exchanges.stockEvents.name, routingKey: message.routingKey, type: TransferEventV1.messageType, on: connection)
    }
}
