import AMQPClient
import Contracts
import Metrics
import PostgresClient
import ServiceRuntime

/// Orders' consumer of `sale.recorded`: every sale moves its lines out of its store's stock once (a return moves
/// them back), however often it is delivered, in one transaction per batch.
struct SaleStockMover: Sendable {
    let database: Database
    let activity: BatchActivity
    private let movedCounter = Counter(label: "orders_sales_moved_total")

    init(database: Database, activity: BatchActivity) {
        self.database = database
        self.activity = activity
    }

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        activity.batchStarted()
        var rejections: [Rejection] = []
        var sales: [POSSaleV1] = []
        for delivery in batch {
            do {
                sales += try SaleJSONParser.parseRecorded(delivery.body).sales
            } catch {
                rejections.append(
                    Rejection(deliveryTag: delivery.deliveryTag, code: "orders.malformed_event", reason: "not a sale.recorded.v1: \(error.reason)"))
            }
        }
        let toMove = sales
        let moved = try await database.transaction { connection in try Self.move(toMove, on: connection) }
        activity.batchCommitted(handled: moved)
        movedCounter.increment(by: Int64(moved))
        return rejections
    }

    /// Moves the stock of the sales not moved before, in the caller's transaction; returns how many it moved.
    @discardableResult
    static func move(_ sales: [POSSaleV1], on connection: PostgresConnection) throws -> Int {
        guard !sales.isEmpty else { return 0 }
        // Claimed in one order, so that two replicas given the same sales cannot deadlock; the second waits for the
        // first to commit and then finds them claimed.
        var unmoved = Set(
            try connection.query(
                """
                INSERT INTO sales_moved (sale_id) SELECT unnest($1::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING RETURNING sale_id::text
                """, [PostgresArrays.text(Set(sales.map(\.saleId)))]
            ).map { try $0.decode(String.self, at: 0) })
        let moved = unmoved.count
        var movements: [StockMovement] = []
        movements.reserveCapacity(sales.count * 3)
        for sale in sales where unmoved.remove(sale.saleId) != nil {
            let kind: StockMovement.Kind = sale.returnOf == nil ? .sale : .return
            for line in sale.lines {
                movements.append(
                    StockMovement(
                        storeId: sale.storeId, sku: line.sku, kind: kind, onHandChange: -line.quantity, reservedChange: 0,
                        reference: sale.saleId))
            }
        }
        try StockLedger.apply(movements, on: connection)
        return moved
    }
}
