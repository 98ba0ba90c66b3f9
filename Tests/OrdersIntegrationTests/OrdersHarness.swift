import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import orders

/// Orders running against the real broker and database, with a till to publish `sale.recorded` and order commands,
/// and collectors of what orders announces on `stock.events` and `orders.events`.
struct OrdersHarness {
    let service: RunningService
    let till: AMQPConnection
    let stockEvents: Seen
    let orderEvents: Seen

    static func with(_ body: (OrdersHarness) async throws -> Void) async throws {
        try await RunningService.with(Orders.definition) { service in
            let listen = Topology(
                exchanges: [Exchanges.salesEvents, Exchanges.stockEvents, Exchanges.ordersEvents, Exchanges.ordersCommands],
                queues: [.init(name: "test.stock"), .init(name: "test.orders")],
                bindings: [
                    .init(queue: "test.stock", exchange: Exchanges.stockEvents.name, routingKey: "#"),
                    .init(queue: "test.orders", exchange: Exchanges.ordersEvents.name, routingKey: "#"),
                ])
            let till = AMQPConnection(configuration: service.amqp.named("test-till"), topology: listen, logger: TestInfrastructure.logger)
            try await till.declare(listen)
            let harness = OrdersHarness(service: service, till: till, stockEvents: Seen(), orderEvents: Seen())
            do {
                try await running([
                    collector(service.amqp, queue: "test.stock", topology: listen, into: harness.stockEvents),
                    collector(service.amqp, queue: "test.orders", topology: listen, into: harness.orderEvents),
                ]) { try await body(harness) }
            } catch {
                await till.close()
                throw error
            }
            await till.close()
        }
    }

    /// Announces `sales` as intake does: one `sale.recorded.v1` per store.
    func announce(_ sales: [POSSaleV1]) async throws {
        let byStore = Dictionary(grouping: sales, by: \.storeId)
        try await till.publish(
            try byStore.keys.sorted().map { store in
                OutgoingMessage(
                    exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: store),
                    body: Array(try JSONEncoder().encode(SaleRecordedV1(storeId: store, recordedAt: "2026-11-29T09:15:01Z", sales: byStore[store]!))),
                    properties: MessageProperties(type: SaleRecordedV1.messageType, messageId: UUID().uuidString))
            })
    }

    func json(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, value: Any?) {
        let response = try await service.request(method, path, body: body)
        return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body.utf8)))
    }

    /// `available` of one SKU, or nil while it has no stock row.
    func available(_ store: String, _ sku: String) async throws -> Int64? {
        let (status, value) = try await json("GET", "/stock/\(store)/\(sku)")
        guard status == 200, let object = value as? [String: Any] else { return nil }
        return (object["available"] as? NSNumber)?.int64Value
    }
}

/// Sales of a few SKUs, each line a whole number of units.
func sale(store: String = "S001", lines: [(sku: String, quantity: Int64)], returnOf: String? = nil) -> POSSaleV1 {
    let saleLines = lines.map { POSSaleV1.Line(sku: $0.sku, description: $0.sku, quantity: $0.quantity, unitPrice: 100, taxRate: 21, discount: 0) }
    let total = saleLines.reduce(0) { $0 + $1.quantity * $1.unitPrice }
    return POSSaleV1(
        saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: "\(store)-T01", receiptNumber: Int64.random(in: 1...1_000_000_000),
        occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: nil, lines: saleLines,
        payments: [.init(method: "cash", amount: total)], total: total, returnOf: returnOf.map { .init(saleId: $0) })
}
