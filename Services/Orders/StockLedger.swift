import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// One change to a SKU's stock in one store, as the ledger records it.
struct StockMovement: Sendable, Equatable {
    enum Kind: String, Sendable {
        case sale, `return`, replenishment, adjustment, reservation, release, shipment, purchase
        case transferOut = "transfer_out", transferIn = "transfer_in"
    }

    var storeId: String
    var sku: String
    var kind: Kind
    var onHandChange: Int64
    var reservedChange: Int64
    /// What caused it: a sale id, an order id, a replenishment id, an adjustment's reason.
    var reference: String
}

/// Where one SKU of one store stands.
struct StockKey: Hashable, Sendable, Comparable {
    var storeId: String
    var sku: String

    static func < (a: StockKey, b: StockKey) -> Bool { (a.storeId, a.sku) < (b.storeId, b.sku) }
}

/// The stock ledger: every movement is written down, and the levels it moves are kept beside it in the same
/// transaction, so the current level is always the sum of the ledger.
///
/// Available stock is on hand minus reserved. When a movement takes a SKU's available stock from its minimum or
/// above to under it, `stock.low.<store>` is published and, unless one is already open, one replenishment is
/// raised for what brings it back to the maximum, rounded up to the multiple (`replenishment.requested.<store>`).
/// Stock may go negative (the shelf is the truth): crossing under zero publishes `stock.negative.<store>`. All of it
/// goes through the outbox, in the caller's transaction.
enum StockLedger {
    struct Rule: Sendable, Equatable {
        var minimum: Int64
        var maximum: Int64
        var multiple: Int64
        /// A store to take from, when it has more than its own maximum, before buying.
        var transferFrom: String? = nil

        /// What brings `available` back to the maximum, in whole multiples.
        func replenishment(from available: Int64) -> Int64 {
            let missing = maximum - available
            guard missing > 0 else { return 0 }
            return (missing + multiple - 1) / multiple * multiple
        }
    }

    /// What a batch does to one SKU of one store: its change, and its movements (indices, in the order they came).
    private struct Change {
        var onHand: Int64 = 0
        var reserved: Int64 = 0
        var movements: [Int] = []

        mutating func add(_ movement: StockMovement, at index: Int) {
            onHand += movement.onHandChange
            reserved += movement.reservedChange
            movements.append(index)
        }
    }

    /// Applies `movements` in the caller's transaction and returns each touched SKU's available stock after them.
    @discardableResult
    static func apply(_ movements: [StockMovement], on connection: PostgresConnection) throws -> [StockKey: Int64] {
        guard !movements.isEmpty else { return [:] }
        var changes: [StockKey: Change] = [:]
        for (index, movement) in movements.enumerated() {
            changes[StockKey(storeId: movement.storeId, sku: movement.sku), default: Change()].add(movement, at: index)
        }
        // Rows locked in one order (store, SKU), so that replicas moving the same SKUs cannot deadlock.
        let keys = changes.keys.sorted()
        // Written SKU by SKU (each SKU's in the order they came): the ledger's index by SKU then takes a batch's
        // movements a leaf page at a time (about a fifth less of PostgreSQL's time than in the sales' order).
        var rows = CopyRows(reservingBytes: movements.count * 96)
        for key in keys {
            for index in changes[key]!.movements {
                let movement = movements[index]
                rows.append(movement.storeId)
                rows.append(movement.sku)
                rows.append(movement.kind.rawValue)
                rows.append(movement.onHandChange)
                rows.append(movement.reservedChange)
                rows.append(movement.reference)
                rows.endRow()
            }
        }
        try connection.copy(
            into: "movements", columns: ["store_id", "sku", "kind", "on_hand_change", "reserved_change", "reference"], data: rows)

        var after: [StockKey: Int64] = [:]
        for row in try connection.query(
            """
            INSERT INTO stock AS s (store_id, sku, on_hand, reserved)
            SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) ORDER BY 1, 2
            ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = s.on_hand + excluded.on_hand, reserved = s.reserved + excluded.reserved
            RETURNING store_id, sku, on_hand - reserved
            """,
            [
                PostgresArrays.text(keys.map(\.storeId)), PostgresArrays.text(keys.map(\.sku)),
                PostgresArrays.bigint(keys.map { changes[$0]!.onHand }), PostgresArrays.bigint(keys.map { changes[$0]!.reserved }),
            ])
        {
            after[StockKey(storeId: try row.decode(at: 0), sku: try row.decode(at: 1))] = try row.decode(at: 2)
        }

        // Only a fall can cross a threshold.
        let fallen = keys.filter { changes[$0]!.onHand - changes[$0]!.reserved < 0 }
        guard !fallen.isEmpty else { return after }
        let rules = try self.rules(for: fallen, on: connection)
        for key in fallen {
            guard let now = after[key] else { continue }
            let before = now - (changes[key]!.onHand - changes[key]!.reserved)
            if before >= 0 && now < 0 {
                try Outbox.add(
                    StockLevelV1(storeId: key.storeId, sku: key.sku, available: now, minimum: rules[key]?.minimum),
                    exchange: Exchanges.stockEvents.name, routingKey: "stock.negative.\(key.storeId)", type: StockLevelV1.negativeType,
                    on: connection)
            }
            guard let rule = rules[key], before >= rule.minimum, now < rule.minimum else { continue }
            try Outbox.add(
                StockLevelV1(storeId: key.storeId, sku: key.sku, available: now, minimum: rule.minimum),
                exchange: Exchanges.stockEvents.name, routingKey: "stock.low.\(key.storeId)", type: StockLevelV1.lowType, on: connection)
            try raiseReplenishment(key, quantity: rule.replenishment(from: now), rule: rule, on: connection)
        }
        return after
    }

    /// Stock on its way to a store (`change` positive when shipped to it, negative when it arrives).
    static func moveInTransit(_ changes: [(StockKey, Int64)], on connection: PostgresConnection) throws {
        let sorted = changes.sorted { $0.0 < $1.0 }
        try connection.query(
            """
            INSERT INTO stock AS s (store_id, sku, in_transit)
            SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ORDER BY 1, 2
            ON CONFLICT (store_id, sku) DO UPDATE SET in_transit = s.in_transit + excluded.in_transit
            """,
            [PostgresArrays.text(sorted.map(\.0.storeId)), PostgresArrays.text(sorted.map(\.0.sku)), PostgresArrays.bigint(sorted.map(\.1))])
    }

    /// One replenishment for `key`, unless one is open already: a transfer from the rule's store when that store has
    /// the quantity beyond its own maximum (a draft transfer is proposed for it), a purchase otherwise.
    private static func raiseReplenishment(_ key: StockKey, quantity: Int64, rule: Rule, on connection: PostgresConnection) throws {
        guard quantity > 0 else { return }
        var source = "purchase"
        if let from = rule.transferFrom, from != key.storeId,
            let surplus = try connection.query(
                """
                SELECT s.on_hand - s.reserved - coalesce(r.maximum, 0) FROM stock s
                LEFT JOIN reorder_rules r ON r.store_id = s.store_id AND r.sku = s.sku
                WHERE s.store_id = $1 AND s.sku = $2
                """, [from, key.sku]
            ).first?.decode(Int64.self, at: 0), surplus >= quantity
        {
            source = "transfer"
        }
        guard let row = try connection.query(
            """
            INSERT INTO replenishments (store_id, sku, quantity, source) VALUES ($1, $2, $3, $4)
            ON CONFLICT (store_id, sku) WHERE status = 'open' DO NOTHING RETURNING id
            """, [key.storeId, key.sku, quantity, source]
        ).first else { return }
        if source == "transfer", let from = rule.transferFrom {
            try Transfers.create(
                from: from, to: key.storeId, lines: [.init(sku: key.sku, quantity: quantity)], note: "proposed by the reorder rule",
                replenishment: try row.decode(at: 0), on: connection)
        }
        try Outbox.add(
            ReplenishmentRequestedV1(replenishmentId: try row.decode(at: 0), storeId: key.storeId, sku: key.sku, quantity: quantity),
            exchange: Exchanges.stockEvents.name, routingKey: "replenishment.requested.\(key.storeId)",
            type: ReplenishmentRequestedV1.messageType, on: connection)
    }

    static func rules(for keys: [StockKey], on connection: PostgresConnection) throws -> [StockKey: Rule] {
        var rules: [StockKey: Rule] = [:]
        for row in try connection.query(
            """
            SELECT r.store_id, r.sku, r.minimum, r.maximum, r.multiple, r.transfer_from
            FROM reorder_rules r JOIN unnest($1::text[], $2::text[]) AS k(store_id, sku) USING (store_id, sku)
            """, [PostgresArrays.text(keys.map(\.storeId)), PostgresArrays.text(keys.map(\.sku))])
        {
            rules[StockKey(storeId: try row.decode(at: 0), sku: try row.decode(at: 1))] = Rule(
                minimum: try row.decode(at: 2), maximum: try row.decode(at: 3), multiple: try row.decode(at: 4),
                transferFrom: try row.decodeIfPresent(String.self, at: 5))
        }
        return rules
    }
}
