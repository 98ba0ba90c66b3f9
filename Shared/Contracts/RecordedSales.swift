import AMQPClient
import PostgresClient

/// What every consumer of `sale.recorded` does first: read a batch of deliveries, and claim the sales it has not
/// handled before.
public enum RecordedSales {
    /// The announcements of `batch` with their delivery tags; a body that is not `sale.recorded.v1` is refused with
    /// `code` and the parser's reason.
    public static func decode(_ batch: [Delivery], malformedCode code: String) -> (events: [(deliveryTag: UInt64, event: SaleRecordedV1)], rejections: [Rejection]) {
        var events: [(deliveryTag: UInt64, event: SaleRecordedV1)] = []
        var rejections: [Rejection] = []
        for delivery in batch {
            do {
                events.append((delivery.deliveryTag, try SaleJSONParser.parseRecorded(delivery.body)))
            } catch {
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: code, reason: "not a sale.recorded.v1: \(error.reason)"))
            }
        }
        return (events, rejections)
    }

    /// Inserts the ids of `sales` into `table` (one `sale_id uuid` primary key) and returns those that were not there:
    /// the sales to handle now. Claimed in one order, so that replicas given the same sales cannot deadlock; the
    /// second waits for the first to commit and then finds them claimed.
    public static func claim(_ sales: [POSSaleV1], in table: String, on connection: PostgresConnection) throws -> Set<String> {
        Set(
            try connection.query(
                "INSERT INTO \(table) (sale_id) SELECT unnest($1::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING RETURNING sale_id::text",
                [PostgresArrays.text(Set(sales.map(\.saleId)))]
            ).map { try $0.decode(String.self, at: 0) })
    }
}
