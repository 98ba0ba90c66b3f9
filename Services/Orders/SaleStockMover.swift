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
        let (events, rejections) = try RecordedSales.decode(batch, malformedCode: "orders.malformed_event")
        let toMove = events.flatMap(\.event.sales)
        let moved = try await database.transaction { connection in try Self.move(toMove, on: connection) }
        activity.batchCommitted(handled: moved)
        movedCounter.increment(by: Int64(moved))
        return rejections
    }

    /// Moves the stock of the sales not moved before, in the caller's transaction; returns how many it moved.
    @discardableResult
    static func move(_ sales: [POSSaleV1], on connection: PostgresConnection) throws -> Int {
        guard !sales.isEmpty else { return 0 }
        var unmoved = try RecordedSales.claim(sales, in: "sales_moved", on: connection)
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
