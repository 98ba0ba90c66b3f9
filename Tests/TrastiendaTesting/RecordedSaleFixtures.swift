import AMQPClient
import Contracts
import Foundation

/// Recorded sales as intake announces them (`sale.recorded.v1`), for tests of the services downstream.
package enum RecordedSaleFixtures {
    package static func sale(
        store: String = "S001", lines: [(rate: Int64, cents: Int64)], customer: POSSaleV1.Customer? = nil, returnOf: POSSaleV1? = nil,
        deferred: Bool = false
    ) -> POSSaleV1 {
        let sign: Int64 = returnOf == nil ? 1 : -1
        let saleLines = lines.enumerated().map { index, line in
            POSSaleV1.Line(sku: "SKU-\(index)", description: "Artículo \(index)", quantity: sign, unitPrice: line.cents, taxRate: line.rate, discount: 0)
        }
        let total = sign * lines.reduce(0) { $0 + $1.cents }
        return POSSaleV1(
            saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: "\(store)-T01", receiptNumber: Int64.random(in: 1...1_000_000_000),
            occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: returnOf?.customer ?? customer, lines: saleLines,
            payments: [.init(method: deferred ? "deferred" : "card", amount: total)], total: total,
            returnOf: returnOf.map { .init(saleId: $0.saleId) })
    }

    package static func announcement(_ sales: [POSSaleV1], store: String = "S001") throws -> OutgoingMessage {
        OutgoingMessage(
            exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: store),
            body: Array(try JSONEncoder().encode(SaleRecordedV1(storeId: store, recordedAt: "2026-11-29T09:15:01Z", sales: sales))),
            properties: MessageProperties(type: SaleRecordedV1.messageType, messageId: UUID().uuidString))
    }
}
