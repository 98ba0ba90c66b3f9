import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Orders' consumer of `order.register` commands: each registers its order (once, by order id), or is
/// dead-lettered with the reason it cannot be.
struct OrderCommandHandler: Sendable {
    let database: Database

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        var orders: [RegisterOrderV1] = []
        for delivery in batch {
            guard
                let order = delivery.decodeBody(
                    RegisterOrderV1.self, refusing: "order.malformed",
                    expected: "an orders.register.v1 (orderId, storeId, customer, lines of sku and quantity)", into: &rejections)
            else { continue }
            do {
                try CustomerOrders.validate(order)
                orders.append(order)
            } catch {
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: "order.invalid", reason: error.message))
            }
        }
        let toRegister = orders
        try await database.transaction { connection in
            for order in toRegister { try CustomerOrders.register(order, on: connection) }
        }
        return rejections
    }
}
