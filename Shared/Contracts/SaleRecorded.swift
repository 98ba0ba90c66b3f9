/// `sale.recorded.v1`: sales intake's announcement that sales are recorded, on exchange `sales.events` with routing key
/// `sale.recorded.<storeId>`.
///
/// One message carries every sale of one store recorded in one intake batch (1 to the batch size), each exactly as
/// the terminal sent it: announcing per store and batch keeps the broker's message rate far below the sale rate.
/// A sale may be announced more than once (after a redelivery), so consumers are idempotent by `saleId`.
package struct SaleRecordedV1: Codable, Sendable, Equatable {
    package static let messageType = "sale.recorded.v1"

    package var storeId: String
    /// When intake committed the batch, ISO 8601 in UTC.
    package var recordedAt: String
    package var sales: [POSSaleV1]
    /// The W3C trace context each sale came with, by saleId (sales that came without one are left out).
    package var traceparents: [String: String]?

    package init(storeId: String, recordedAt: String, sales: [POSSaleV1], traceparents: [String: String]? = nil) {
        self.storeId = storeId
        self.recordedAt = recordedAt
        self.sales = sales
        self.traceparents = traceparents
    }

    package static func routingKey(storeId: String) -> String { "sale.recorded.\(storeId)" }
}
