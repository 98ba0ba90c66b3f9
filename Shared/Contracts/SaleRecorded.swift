/// `sale.recorded.v1`: sales intake's announcement that sales are recorded, on exchange `sales.events` with routing key
/// `sale.recorded.<storeId>`.
///
/// One message carries every sale of one store recorded in one intake batch (1 to the batch size), each exactly as
/// the terminal sent it: announcing per store and batch keeps the broker's message rate far below the sale rate.
/// A sale may be announced more than once (after a redelivery), so consumers are idempotent by `saleId`.
public struct SaleRecordedV1: Codable, Sendable, Equatable {
    public static let messageType = "sale.recorded.v1"

    public var storeId: String
    /// When intake committed the batch, ISO 8601 in UTC.
    public var recordedAt: String
    public var sales: [POSSaleV1]
    /// The W3C trace context each sale came with, by saleId (sales that came without one are left out).
    public var traceparents: [String: String]?

    public init(storeId: String, recordedAt: String, sales: [POSSaleV1], traceparents: [String: String]? = nil) {
        self.storeId = storeId
        self.recordedAt = recordedAt
        self.sales = sales
        self.traceparents = traceparents
    }

    public static func routingKey(storeId: String) -> String { "sale.recorded.\(storeId)" }
}
