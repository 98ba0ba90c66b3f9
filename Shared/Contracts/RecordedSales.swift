import AMQPClient
import Foundation
import PostgresClient

/// What every consumer of `sale.recorded` does first: read a batch of deliveries, and claim the sales it has not
/// handled before.
package enum RecordedSales {
    /// The announcements of `batch` with their delivery tags; a body that is not `sale.recorded.v1` is refused with
    /// `code` and the parser's reason. A sale that breaks what every service relies on
    /// (``SaleContract/storageViolation(of:)``) is thrown: the consumer then finds it and parks that sale alone.
    package static func decode(
        _ batch: [Delivery], malformedCode code: String
    ) throws(SaleViolation) -> (events: [(deliveryTag: UInt64, event: SaleRecordedV1)], rejections: [Rejection]) {
        var events: [(deliveryTag: UInt64, event: SaleRecordedV1)] = []
        var rejections: [Rejection] = []
        for delivery in batch {
            let event: SaleRecordedV1
            do {
                event = try SaleJSONParser.parseRecorded(delivery.body)
            } catch {
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: code, reason: "not a sale.recorded.v1: \(error.reason)"))
                continue
            }
            for sale in event.sales {
                if let violation = SaleContract.storageViolation(of: sale) {
                    throw SaleViolation(violation.code, "sale \(sale.saleId.prefix(40)): \(violation.reason)")
                }
            }
            events.append((delivery.deliveryTag, event))
        }
        return (events, rejections)
    }

    /// Cuts a `sale.recorded.v1` of many sales into one announcement per sale (same store, time and type; the sale's
    /// own trace context; a message id of its own that names the original's, which the part also carries in
    /// ``MessagePart/originalMessageIdHeader``), so that a consumer that cannot handle one sale parks that sale alone
    /// and a replay brings back exactly what failed. Nil for one sale, or a body that is not a `sale.recorded.v1`.
    package static let split: MessageSplitter = { delivery in
        guard let event = try? SaleJSONParser.parseRecorded(delivery.body), event.sales.count > 1 else { return nil }
        let encoder = JSONEncoder()
        let original = delivery.properties.messageId ?? ""
        let parts = event.sales.map { sale -> MessagePart? in
            let traceparent = event.traceparents?[sale.saleId]
            let one = SaleRecordedV1(
                storeId: event.storeId, recordedAt: event.recordedAt, sales: [sale], traceparents: traceparent.map { [sale.saleId: $0] })
            guard let body = try? encoder.encode(one) else { return nil }
            var properties = delivery.properties
            properties.messageId = "\(original)/\(sale.saleId)"
            properties.headers[MessagePart.originalMessageIdHeader] = .string(original)
            if let traceparent { properties.headers[TraceContext.header] = .string(traceparent) }
            return MessagePart(body: Array(body), properties: properties)
        }
        return parts.contains { $0 == nil } ? nil : parts.compactMap { $0 }  // never a sale left out: whole, or every one
    }

    /// Inserts the ids of `sales` into `table` (one `sale_id uuid` primary key) and returns those that were not there:
    /// the sales to handle now. Claimed in one order, so that replicas given the same sales cannot deadlock; the
    /// second waits for the first to commit and then finds them claimed.
    ///
    /// Nearly always none of them was handled before: they are first inserted plainly, under a savepoint (an insert
    /// that may conflict and returns its rows costs PostgreSQL about half as much again per sale); only when one was
    /// there already does the claim go back to the savepoint and ask which are new.
    package static func claim(_ sales: [POSSaleV1], in table: String, on connection: PostgresConnection) throws -> Set<String> {
        let ids = Set(sales.map(\.saleId))
        let array = PostgresArrays.text(ids)
        if try connection.unlessDuplicate({ try connection.query("INSERT INTO \(table) (sale_id) SELECT unnest($1::uuid[]) ORDER BY 1", [array]) }) != nil {
            return ids
        }
        return Set(
            try connection.query(
                "INSERT INTO \(table) (sale_id) SELECT unnest($1::uuid[]) ORDER BY 1 ON CONFLICT DO NOTHING RETURNING sale_id::text", [array]
            ).map { try $0.decode(String.self, at: 0) })
    }
}
