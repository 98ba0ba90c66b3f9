import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Orders to suppliers. A store's open replenishments to buy are grouped into one draft per supplier (each SKU from
/// the supplier that sells it cheapest, then soonest; rounded up to whole packs); a draft confirmed is issued
/// (`purchase_order.issued.<supplier>` for the supplier's integration); deliveries against it bring stock in, and a
/// replenishment closes once its line has arrived in full. A shortfall keeps its replenishment open; closing the order
/// puts what is still missing back among the replenishments to order.
enum PurchaseOrders {
    static let statuses = ["draft", "issued", "partially_received", "received", "closed"]

    /// Rounds `quantity` up to whole packs of `pack`.
    static func packed(_ quantity: Int64, pack: Int64) -> Int64 { (quantity + pack - 1) / pack * pack }

    /// Drafts for the store's open replenishments to buy that are on no order yet; returns the new drafts' ids.
    static func draft(store: String, on connection: PostgresConnection) throws -> [Int64] {
        let wanted = try connection.query(
            """
            SELECT r.id, r.sku, r.quantity, k.supplier_id, k.supplier_code, k.pack_size, k.price_cents, k.lead_time_days
            FROM replenishments r
            CROSS JOIN LATERAL (
                SELECT * FROM supplier_skus k WHERE k.sku = r.sku ORDER BY k.price_cents, k.lead_time_days, k.supplier_id LIMIT 1) k
            WHERE r.store_id = $1 AND r.status = 'open' AND r.source = 'purchase' AND r.purchase_order_id IS NULL
            ORDER BY r.id
            FOR UPDATE OF r
            """, [store])
        var bySupplier: [String: [Row]] = [:]
        for row in wanted { bySupplier[try row.decode(String.self, at: 3), default: []].append(row) }
        var drafts: [Int64] = []
        for supplier in bySupplier.keys.sorted() {
            let id: Int64 = try connection.query(
                "INSERT INTO purchase_orders (supplier_id, store_id) VALUES ($1, $2) RETURNING id", [supplier, store])[0].decode(at: 0)
            for row in bySupplier[supplier]! {
                let replenishment: Int64 = try row.decode(at: 0)
                let pack: Int64 = try row.decode(at: 5)
                try connection.query(
                    """
                    INSERT INTO purchase_order_lines (order_id, sku, supplier_code, quantity, pack_size, unit_price_cents, lead_time_days, replenishment_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """,
                    [
                        id, try row.decode(String.self, at: 1), try row.decode(String.self, at: 4), packed(try row.decode(at: 2), pack: pack), pack,
                        try row.decode(Int64.self, at: 6), try row.decode(Int.self, at: 7), replenishment,
                    ])
                try connection.query("UPDATE replenishments SET purchase_order_id = $2 WHERE id = $1", [replenishment, id])
            }
            drafts.append(id)
        }
        return drafts
    }

    /// Issues a draft: expected after its longest lead time, announced to the supplier.
    static func confirm(_ id: Int64, on connection: PostgresConnection) throws {
        let (supplier, store) = try order(id, expecting: ["draft"], on: connection)
        let expected: String = try connection.query(
            """
            UPDATE purchase_orders SET status = 'issued', issued_at = now(),
                expected_on = current_date + (SELECT coalesce(max(lead_time_days), 0) FROM purchase_order_lines WHERE order_id = $1)
            WHERE id = $1 RETURNING to_char(expected_on, 'YYYY-MM-DD')
            """, [id])[0].decode(at: 0)
        let lines = try connection.query(
            "SELECT sku, supplier_code, quantity, pack_size, unit_price_cents FROM purchase_order_lines WHERE order_id = $1 ORDER BY sku", [id]
        ).map { row in
            PurchaseOrderIssuedV1.Line(
                sku: try row.decode(at: 0), supplierCode: try row.decode(at: 1), quantity: try row.decode(at: 2),
                packs: try row.decode(Int64.self, at: 2) / max(1, try row.decode(Int64.self, at: 3)), unitPriceCents: try row.decode(at: 4))
        }
        let message = PurchaseOrderIssuedV1(
            purchaseOrderId: id, supplierId: supplier, storeId: store, expectedOn: expected, lines: lines,
            totalCents: lines.reduce(0) { $0 + $1.quantity * $1.unitPriceCents })
        try Outbox.add(
            message, exchange: Exchanges.stockEvents.name, routingKey: message.routingKey, type: PurchaseOrderIssuedV1.messageType, on: connection)
    }

    /// A delivery against an issued order: `received` units by SKU go into the store's stock; each line that has now
    /// arrived in full closes its replenishment.
    static func deliver(_ id: Int64, received: [String: Int64], note: String?, on connection: PostgresConnection) throws {
        let (_, store) = try order(id, expecting: ["issued", "partially_received"], on: connection)
        let skus = Set(try connection.query("SELECT sku FROM purchase_order_lines WHERE order_id = $1", [id]).map { try $0.decode(String.self, at: 0) })
        if let unknown = received.keys.sorted().first(where: { !skus.contains($0) }) {
            throw Refusal(.invalid, "purchase order \(id) has no line for \(unknown)")
        }
        let lines = received.sorted { $0.key < $1.key }
        for (sku, quantity) in lines {
            try connection.query("UPDATE purchase_order_lines SET received = received + $3 WHERE order_id = $1 AND sku = $2", [id, sku, quantity])
        }
        try StockLedger.apply(
            lines.map {
                StockMovement(storeId: store, sku: $0.key, kind: .purchase, onHandChange: $0.value, reservedChange: 0, reference: "purchase order \(id)")
            }, on: connection)
        let noted = String(decoding: try JSONEncoder().encode(Dictionary(uniqueKeysWithValues: lines.map { ($0.key, $0.value) })), as: UTF8.self)
        try connection.query("INSERT INTO purchase_deliveries (order_id, note, lines) VALUES ($1, $2, $3::jsonb)", [id, note, noted])
        try connection.query(
            """
            UPDATE replenishments r SET status = 'received', received_at = now(), received_quantity = l.received
            FROM purchase_order_lines l
            WHERE l.order_id = $1 AND r.id = l.replenishment_id AND r.status = 'open' AND l.received >= r.quantity
            """, [id])
        try connection.query(
            """
            UPDATE purchase_orders SET status = CASE WHEN (SELECT bool_and(received >= quantity) FROM purchase_order_lines WHERE order_id = $1)
                THEN 'received' ELSE 'partially_received' END,
                received_at = now()
            WHERE id = $1
            """, [id])
    }

    /// Closes an order that will bring no more: what is still missing goes back among the replenishments to order.
    static func close(_ id: Int64, on connection: PostgresConnection) throws {
        _ = try order(id, expecting: ["issued", "partially_received"], on: connection)
        try connection.query("UPDATE purchase_orders SET status = 'closed' WHERE id = $1", [id])
        try connection.query(
            """
            UPDATE replenishments r SET purchase_order_id = NULL, quantity = r.quantity - l.received
            FROM purchase_order_lines l WHERE l.order_id = $1 AND r.id = l.replenishment_id AND r.status = 'open'
            """, [id])
    }

    static func document(_ id: Int64, on connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT \(json)::text FROM purchase_orders o WHERE o.id = $1", [id]).first?.decode(String.self, at: 0)
    }

    static let json = """
        json_build_object('id', o.id, 'supplierId', o.supplier_id, 'storeId', o.store_id, 'status', o.status, 'createdAt', o.created_at,
            'issuedAt', o.issued_at, 'expectedOn', to_char(o.expected_on, 'YYYY-MM-DD'),
            'totalCents', (SELECT coalesce(sum(quantity * unit_price_cents), 0) FROM purchase_order_lines WHERE order_id = o.id),
            'lines', (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'supplierCode', l.supplier_code, 'quantity', l.quantity,
                        'packSize', l.pack_size, 'unitPriceCents', l.unit_price_cents, 'received', l.received,
                        'replenishmentId', l.replenishment_id) ORDER BY l.sku), '[]')
                      FROM purchase_order_lines l WHERE l.order_id = o.id),
            'deliveries', (SELECT coalesce(json_agg(json_build_object('id', d.id, 'lines', d.lines, 'note', d.note, 'receivedAt', d.received_at)
                        ORDER BY d.id), '[]') FROM purchase_deliveries d WHERE d.order_id = o.id))
        """

    private static func order(_ id: Int64, expecting statuses: Set<String>, on connection: PostgresConnection) throws -> (String, String) {
        guard let row = try connection.query("SELECT supplier_id, store_id, status FROM purchase_orders WHERE id = $1 FOR UPDATE", [id]).first else {
            throw Refusal(.notFound, "no purchase order \(id)")
        }
        let status: String = try row.decode(at: 2)
        guard statuses.contains(status) else {
            throw Refusal(.conflict, "purchase order \(id) is \(status), not \(statuses.sorted().joined(separator: " or "))")
        }
        return (try row.decode(at: 0), try row.decode(at: 1))
    }
}
